from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "kuochan.resources"
    label = "resources"
