from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "yilian.api"
    label = "api"
    verbose_name = "API"
