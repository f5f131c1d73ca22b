from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kuochan.demo"
    label = "demo"
