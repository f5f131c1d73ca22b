from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kuochan.web"
    label = "web"
