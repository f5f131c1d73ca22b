from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kuochan.accounts"
    label = "accounts"

    def ready(self) -> None:
        from kuochan.accounts import security  # noqa: F401 - records sign-ins in the security log
