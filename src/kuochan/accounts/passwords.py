"""The password policy: complexity when a password is set, with the bounds of the security policy."""

from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError

CLASSES = (
    ("大写字母", lambda c: c in string.ascii_uppercase),
    ("小写字母", lambda c: c in string.ascii_lowercase),
    ("数字", str.isdigit),
    ("符号", lambda c: not c.isalnum()),
)


class ComplexityValidator:
    """At least `min_length` characters, of at least `classes` of the four kinds: upper case, lower case,
    digits, symbols (Django's own length check has no Chinese message). Unless given, both come from the
    security policy in force."""

    def __init__(self, min_length: int | None = None, classes: int | None = None) -> None:
        self.given_length, self.given_classes = min_length, classes

    def bounds(self) -> tuple[int, int]:
        from kuochan.accounts.selectors import security_policy

        policy = security_policy()
        return (
            self.given_length or policy.password_min_length,
            self.given_classes or policy.password_classes,
        )

    def validate(self, password: str, user: Any = None) -> None:
        min_length, classes = self.bounds()
        if len(password) < min_length:
            raise ValidationError(
                f"密码长度太短：至少 {min_length} 位，当前 {len(password)} 位。", code="password_too_short"
            )
        present = [name for name, test in CLASSES if any(test(c) for c in password)]
        if len(present) < classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {classes} 类，当前只有 {len(present)} 类"
                f"（{'、'.join(present) or '无'}）。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        min_length, classes = self.bounds()
        return f"密码至少 {min_length} 位，包含大写字母、小写字母、数字、符号中的至少 {classes} 类。"
