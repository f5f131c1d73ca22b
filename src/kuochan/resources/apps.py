from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "kuochan.resources"
    label = "resources"

    def ready(self) -> None:
        from kuochan.resources import importers  # noqa: F401 - registers the 厂房超市 import kind
