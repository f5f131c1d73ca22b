"""The password policy, applied wherever a password is set (the change-password page, the administrators'
pages, the API, `kuochan user`), all through Django's `validate_password` and AUTH_PASSWORD_VALIDATORS:

- complexity: the length and the kinds of character of the security policy; padding with spaces at either
  end counts for neither;
- not a common password, nor one only dressed up: digits, symbols or a year around it, letters swapped for
  look-alikes (P@ssw0rd2026), a run of keys (Qwerty123456!);
- not close to the account's own user name, name, e-mail or phone (Pwtest12345! for pwtest);
- none of the account's last five passwords (their hashes are kept in PasswordHistory).

Every message is Chinese (Django's own validators answer in the active language, English on the command
line)."""

from __future__ import annotations

import itertools
import re
import string
from difflib import SequenceMatcher
from typing import Any

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator as DjangoCommonPasswordValidator
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
    security policy in force. Spaces before or after the password count for neither."""

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
        counted = password.strip()
        padding = "（首尾空格不计）" if counted != password else ""
        if len(counted) < min_length:
            raise ValidationError(
                f"密码长度太短：至少 {min_length} 位，当前 {len(counted)} 位{padding}。",
                code="password_too_short",
            )
        present = [name for name, test in CLASSES if any(test(c) for c in counted)]
        if len(present) < classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {classes} 类，当前只有 {len(present)} 类"
                f"（{'、'.join(present) or '无'}）{padding}。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        min_length, classes = self.bounds()
        return f"密码至少 {min_length} 位，包含大写字母、小写字母、数字、符号中的至少 {classes} 类。"


# Look-alike characters put for letters, and the letters they stand for (1 is read both as i and as l).
LOOK_ALIKE_SYMBOLS = {"@": "a", "$": "s", "!": "i", "|": "l", "+": "t"}
LOOK_ALIKE_DIGITS = {"4": "a", "0": "o", "3": "e", "5": "s", "7": "t"}
ONE_READS = ("i", "l")
# Keys next to one another (each row of a keyboard, with and without shift; each column, as in 1qaz2wsx)
# and the alphabet: a password mostly made of runs along them is typed without thought.
ROWS = ("`1234567890-=", "~!@#$%^&*()_+", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./")
COLUMNS = tuple(
    "".join(keys) for keys in zip("1234567890", "qwertyuiop", "asdfghjkl;", "zxcvbnm,./", strict=False)
)
SHIFTED_COLUMNS = tuple(
    f"{shifted}{column[1:]}" for shifted, column in zip("!@#$%^&*()", COLUMNS, strict=True)
)
RUNS = (*ROWS, *COLUMNS, *SHIFTED_COLUMNS, "abcdefghijklmnopqrstuvwxyz")
MIN_CORE = 3  # a shorter core (a random password's few letters) is not compared with the list
MIN_RUN = 3
RUN_SHARE = 0.75
# Leading and trailing digits and symbols: a year, a counter, "!" added to meet the character kinds.
DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")
TRAILING = re.compile(r"[\W\d_]+$")

NEIGHBOURS = {pair for row in RUNS for a, b in itertools.pairwise(row) for pair in ((a, b), (b, a))}


def _undisguised(text: str) -> set[str]:
    """The text with look-alikes turned back into letters (both readings of 1)."""
    plain = "".join(LOOK_ALIKE_SYMBOLS.get(c, LOOK_ALIKE_DIGITS.get(c, c)) for c in text)
    return {plain.replace("1", letter) for letter in ONE_READS}


def common_forms(password: str) -> set[str]:
    """What a guesser's list would hold for this password: itself in lower case; its core without the digits
    and symbols around it (a year, a "!"), or only those after it (a leading $ or @ may stand for a letter);
    and each core with every look-alike read back (P@ssw0rd2026 is password, $ecret! is secret)."""
    whole = password.strip().lower()
    cores = {DECORATION.sub("", whole), TRAILING.sub("", whole)}
    forms = {whole, *cores}
    for core in cores:
        forms |= _undisguised(core)
    return {form for form in forms if len(form) >= MIN_CORE}


def keyboard_share(password: str) -> float:
    """The share of the password's characters that lie in runs of MIN_RUN or more neighbouring keys (or
    letters of the alphabet), in either direction."""
    text = password.strip().lower()
    if not text:
        return 0.0
    in_runs, run = 0, 1
    for a, b in itertools.pairwise(text):
        if (a, b) in NEIGHBOURS:
            run += 1
            continue
        in_runs += run if run >= MIN_RUN else 0
        run = 1
    in_runs += run if run >= MIN_RUN else 0
    return in_runs / len(text)


class CommonPasswordValidator(DjangoCommonPasswordValidator):
    """Django's list of 20,000 common passwords, compared not only with the password as typed but with what is
    left once the usual disguises are undone; and runs of neighbouring keys."""

    message = "密码太常见，容易被猜中：不要用常见密码或键盘上连续的字符（如 qwerty、123456），在其前后加数字、符号或把字母换成 @、0 之类也不行。"

    def validate(self, password: str, user: Any = None) -> None:
        if common_forms(password) & self.passwords or keyboard_share(password) >= RUN_SHARE:
            raise ValidationError(self.message, code="password_too_common")

    def get_help_text(self) -> str:
        return "不能是常见密码或键盘上连续的字符。"


SIMILAR_ATTRIBUTES = {"username": "用户名", "full_name": "姓名", "email": "电子邮箱", "phone": "手机号"}
MIN_CONTAINED = 4  # a shorter piece of a name ("gov" of an e-mail) may well be in a good password
MAX_SIMILARITY = 0.7  # Django's default


def _parts(value: str) -> set[str]:
    """An attribute and its pieces: the words of a name, an e-mail's user and domain names."""
    value = value.lower()
    return {part for part in {value, *re.split(r"\W+", value)} if part}


def _similar(form: str, part: str) -> bool:
    if len(part) >= MIN_CONTAINED and part in form:
        return True
    matcher = SequenceMatcher(a=form, b=part)
    return matcher.quick_ratio() >= MAX_SIMILARITY and matcher.ratio() >= MAX_SIMILARITY


class UserAttributeSimilarityValidator:
    """Not containing the account's user name, name, e-mail or phone (also behind look-alikes), nor close to
    one by Django's measure (a SequenceMatcher ratio of 0.7), on the password as typed and on its core."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        forms = common_forms(password) | {password.strip().lower()}
        for attribute, label in SIMILAR_ATTRIBUTES.items():
            parts = _parts(str(getattr(user, attribute, "") or ""))
            if any(_similar(form, part) for form in forms for part in parts):
                raise ValidationError(
                    f"密码与{label}太相似：请不要在密码中使用{label}。", code="password_too_similar"
                )

    def get_help_text(self) -> str:
        return "不能包含用户名、姓名、电子邮箱或手机号。"


class PasswordHistoryValidator:
    """None of the account's last `keep` passwords, the current one included. The hashes are recorded by
    `password_changed`, which Django calls whenever a user is saved with a new password."""

    def __init__(self, keep: int = 5) -> None:
        self.keep = keep

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        from kuochan.accounts.models import PasswordHistory

        recent = list(
            PasswordHistory.objects.filter(user=user)
            .order_by("-id")
            .values_list("password", flat=True)[: self.keep]
        )
        if user.password and user.password not in recent:
            recent = [user.password, *recent][: self.keep]
        if any(check_password(password, encoded) for encoded in recent):
            raise ValidationError(f"不能使用最近 {self.keep} 次用过的密码。", code="password_reused")

    def password_changed(self, password: str, user: Any = None) -> None:
        from kuochan.accounts.models import PasswordHistory

        if user is None or user.pk is None or not user.has_usable_password():
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = (
            PasswordHistory.objects.filter(user=user)
            .order_by("-id")
            .values_list("id", flat=True)[self.keep :]
        )
        PasswordHistory.objects.filter(id__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return f"不能使用最近 {self.keep} 次用过的密码。"
