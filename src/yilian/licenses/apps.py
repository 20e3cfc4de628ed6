from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "yilian.licenses"
    label = "licenses"
    verbose_name = "电子营业执照 Electronic business licenses"
