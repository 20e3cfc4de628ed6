from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "yilian.dashboard"
    label = "dashboard"
    verbose_name = "双创统计 Zone dashboard"
