import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.accounts.models import ApiToken, User
from kuochan.accounts.services import token_create, token_revoke
from kuochan.audit.models import Source


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = "管理接口令牌：create 创建（令牌只显示一次），revoke 吊销，list 列出。"

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser("create", help="为用户创建令牌")
        create.add_argument("username")
        create.add_argument("--name", default="命令行创建", help="令牌用途")
        create.add_argument("--format", choices=["text", "json"], default="text")
        revoke = verbs.add_parser("revoke", help="按前缀吊销令牌")
        revoke.add_argument("prefix")
        listing = verbs.add_parser("list", help="列出用户的令牌")
        listing.add_argument("username")

    def handle(self, *args: object, verb: str, **options: object) -> None:
        if verb == "create":
            user = self._user(str(options["username"]))
            issued = token_create(actor=None, source=Source.CLI, user=user, name=str(options["name"]))
            if options["format"] == "json":
                self.stdout.write(
                    json.dumps(
                        {"username": user.username, "token": issued.raw, "prefix": issued.token.prefix}
                    )
                )
            else:
                self.stdout.write(
                    f"已为 {user.username} 创建令牌（只显示这一次，请妥善保存）：\n{issued.raw}"
                )
        elif verb == "revoke":
            tokens = list(ApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True))
            if len(tokens) != 1:
                raise CommandError(
                    f"前缀 {options['prefix']} 对应 {len(tokens)} 个有效令牌，应恰好 1 个。", returncode=2
                )
            token_revoke(actor=None, source=Source.CLI, token=tokens[0])
            self.stdout.write(f"已吊销令牌 {tokens[0]}")
        else:
            for token in self._user(str(options["username"])).api_tokens.all():
                state = "有效" if token.is_active else f"已吊销 {token.revoked_at:%Y-%m-%d}"
                self.stdout.write(f"{token.prefix}…  {token.name}  创建 {token.created_at:%Y-%m-%d}  {state}")

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"用户 {username} 不存在。", returncode=2) from exc
