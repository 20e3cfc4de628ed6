from django.apps import AppConfig


class DepartmentsConfig(AppConfig):
    name = "yilian.departments"
    label = "departments"
    verbose_name = "部门 Departments"
