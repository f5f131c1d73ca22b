from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kuochan.accounts"
    label = "accounts"
