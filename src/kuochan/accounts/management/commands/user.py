import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kuochan.accounts.models import Role
from kuochan.accounts.services import user_create
from kuochan.audit.models import Source
from kuochan.orgs.models import OrgUnit


class Command(BaseCommand):
    help = "创建用户：kuochan user create USERNAME --role ROLE --unit 单位代码或名称"

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        create = verbs.add_parser("create", help="创建用户")
        create.add_argument("username")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--unit", required=True, help="所属单位的代码或名称")
        create.add_argument("--full-name", default="")
        create.add_argument("--password", help="不给出时交互输入")

    def handle(self, *args: object, verb: str, **options: str) -> None:
        unit = (
            OrgUnit.objects.filter(code=options["unit"]).first()
            or OrgUnit.objects.filter(name=options["unit"]).first()
        )
        if unit is None:
            raise CommandError(
                f"找不到单位“{options['unit']}”，请先运行 kuochan load-reference。", returncode=2
            )
        password = options["password"] or getpass.getpass("密码：")
        try:
            user = user_create(
                actor=None,
                source=Source.CLI,
                username=options["username"],
                role=options["role"],
                org_unit=unit,
                password=password,
                full_name=options["full_name"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages), returncode=2) from exc
        self.stdout.write(f"已创建用户 {user.username}（{user.get_role_display()}，{unit.name}）")
