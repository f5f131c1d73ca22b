from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "kuochan.projects"
    label = "projects"
