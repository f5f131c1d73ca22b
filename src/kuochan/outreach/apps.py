from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "kuochan.outreach"
    label = "outreach"
    verbose_name = "服务企业"
