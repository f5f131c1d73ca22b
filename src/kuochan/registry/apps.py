from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "kuochan.registry"
    label = "registry"
