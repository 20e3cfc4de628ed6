from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "yilian.workbench"
    label = "workbench"
    verbose_name = "一窗受理与部门工作台 Window and department workbench"
