from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "yilian.audit"
    label = "audit"
    verbose_name = "审计 Audit trail"
