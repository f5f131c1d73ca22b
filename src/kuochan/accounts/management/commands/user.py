import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.accounts.models import Role, User
from kuochan.accounts.services import totp_reset, user_create, user_password_reset, user_role_set
from kuochan.audit.models import Source
from kuochan.orgs.models import OrgUnit


class Command(BaseCommand):
    requires_system_checks = []  # run by `kuochan check`; they load every page and API route (about 1 s)
    help = (
        "部署人员维护账号：create 创建，role 改角色，password 重置密码（下次登录须修改），totp-reset 解除身份验证器。"
        "三员（系统管理员、安全管理员、安全审计员）账号只能用此命令维护。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser("create", help="创建用户")
        create.add_argument("username")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--unit", required=True, help="所属单位的代码或名称")
        create.add_argument("--full-name", default="")
        create.add_argument("--password", help="不给出时交互输入")
        role = verbs.add_parser("role", help="修改角色")
        role.add_argument("username")
        role.add_argument("role", choices=Role.values)
        password = verbs.add_parser("password", help="重置密码，用户下次登录须修改")
        password.add_argument("username")
        password.add_argument("--password", help="不给出时交互输入")
        reset = verbs.add_parser("totp-reset", help="解除身份验证器绑定")
        reset.add_argument("username")

    def handle(self, *args: object, verb: str, **options: str) -> None:
        try:
            self.stdout.write(getattr(self, verb.replace("-", "_"))(**options))
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages), returncode=2) from exc

    def create(self, **options: str) -> str:
        unit = (
            OrgUnit.objects.filter(code=options["unit"]).first()
            or OrgUnit.objects.filter(name=options["unit"]).first()
        )
        if unit is None:
            raise CommandError(
                f"找不到单位“{options['unit']}”，请先运行 kuochan load-reference。", returncode=2
            )
        user = user_create(
            actor=None,
            source=Source.CLI,
            username=options["username"],
            role=options["role"],
            org_unit=unit,
            password=options["password"] or getpass.getpass("密码："),
            full_name=options["full_name"],
        )
        return f"已创建用户 {user.username}（{user.get_role_display()}，{unit.name}）"

    def role(self, **options: str) -> str:
        user = user_role_set(actor=None, source=Source.CLI, user=self._user(options), role=options["role"])
        return f"{user.username} 的角色已改为 {user.get_role_display()}"

    def password(self, **options: str) -> str:
        user = self._user(options)
        new = options["password"] or getpass.getpass("临时密码：")
        user_password_reset(actor=None, source=Source.CLI, user=user, password=new)
        return f"已重置 {user.username} 的密码，其下次登录须先修改。"

    def totp_reset(self, **options: str) -> str:
        user = totp_reset(actor=None, source=Source.CLI, user=self._user(options))
        return f"已解除 {user.username} 的身份验证器绑定。"

    def _user(self, options: dict[str, str]) -> User:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"没有用户“{options['username']}”。", returncode=2)
        return user
