from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "kuochan.policies"
    label = "policies"
