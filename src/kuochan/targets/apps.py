from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "kuochan.targets"
    label = "targets"
