import pytest
from django.core.management import call_command

from kuochan.accounts.models import Role, User
from kuochan.orgs.models import OrgUnit

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests log in often; the production hasher's deliberate slowness would dominate the suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def huzhou(db):
    """Huzhou's org units, loaded as `kuochan load-reference` does."""
    call_command("load_reference", verbosity=0)
    return {unit.code: unit for unit in OrgUnit.objects.all()}


def make_user(username: str, role: str, unit: OrgUnit | None) -> User:
    user = User(username=username, role=role, org_unit=unit)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def users(huzhou):
    """One user per role, plus a second district's staff."""
    return {
        "city_admin": make_user("admin", Role.CITY_ADMIN, huzhou["330500"]),
        "city_staff": make_user("city", Role.CITY_STAFF, huzhou["330500"]),
        "wuxing": make_user("wuxing", Role.DISTRICT_STAFF, huzhou["330502"]),
        "nanxun": make_user("nanxun", Role.DISTRICT_STAFF, huzhou["330503"]),
        "enterprise": make_user("qiye", Role.ENTERPRISE, huzhou["330502"]),
        "leader": make_user("leader", Role.LEADER, huzhou["330500"]),
    }


@pytest.fixture
def login(client):
    def as_user(user: User):
        client.force_login(user)
        return client

    return as_user
