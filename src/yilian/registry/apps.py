from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "yilian.registry"
    label = "registry"
    verbose_name = "企业登记簿 Register of enterprises"
