from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "yilian.forms"
    label = "forms"
    verbose_name = "一表填报 The one form"
