from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "kuochan.projects"
    label = "projects"

    def ready(self) -> None:
        from kuochan.projects import importers  # noqa: F401 - registers the project import kinds
