from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "kuochan.targets"
    label = "targets"

    def ready(self) -> None:
        from kuochan.targets import importers  # noqa: F401 - registers the statistics import kind
