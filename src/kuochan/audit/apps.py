from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kuochan.audit"
    label = "audit"
