"""Options the import/export commands share."""

from typing import Any

from django.core.management.base import CommandError, CommandParser

from kuochan.accounts.models import User


def add_user_option(parser: CommandParser) -> None:
    parser.add_argument("--user", help="以该用户的身份和数据范围执行（默认：系统，全部范围）")


def acting_user(username: str | None) -> Any:
    if not username:
        return None
    user = User.objects.select_related("org_unit").filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"用户 {username} 不存在或已停用。", returncode=2)
    return user
