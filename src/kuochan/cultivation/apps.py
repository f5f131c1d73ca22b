from django.apps import AppConfig


class CultivationConfig(AppConfig):
    name = "kuochan.cultivation"
    label = "cultivation"
