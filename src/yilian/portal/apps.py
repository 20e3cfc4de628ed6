from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "yilian.portal"
    label = "portal"
    verbose_name = "掌上办 Applicant portal"
