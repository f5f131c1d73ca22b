from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "kuochan.imports"
    label = "imports"
