from django.apps import AppConfig


class ClosingConfig(AppConfig):
    name = "yilian.closing"
    label = "closing"
    verbose_name = "注销 Closing"
