from django.apps import AppConfig


class ChainConfig(AppConfig):
    name = "yilian.chain"
    label = "chain"
    verbose_name = "一链办理 The chain"
