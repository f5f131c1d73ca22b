from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "kuochan.orgs"
    label = "orgs"
