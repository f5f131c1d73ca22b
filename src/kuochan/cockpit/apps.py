from django.apps import AppConfig


class CockpitConfig(AppConfig):
    name = "kuochan.cockpit"
    label = "cockpit"
    verbose_name = "驾驶舱"
