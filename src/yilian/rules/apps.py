from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "yilian.rules"
    label = "rules"
    verbose_name = "准入规则 Admission rules"
