from django.apps import AppConfig


class DigitalConfig(AppConfig):
    name = "kuochan.digital"
    label = "digital"
    verbose_name = "数字化改造"
