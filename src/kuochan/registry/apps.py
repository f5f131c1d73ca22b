from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "kuochan.registry"
    label = "registry"

    def ready(self) -> None:
        from kuochan.registry import importers  # noqa: F401 - registers the registry's import kinds
