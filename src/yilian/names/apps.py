from django.apps import AppConfig


class NamesConfig(AppConfig):
    name = "yilian.names"
    label = "names"
    verbose_name = "企业名称 Enterprise names"
