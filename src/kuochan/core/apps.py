from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kuochan.core"
    label = "core"
