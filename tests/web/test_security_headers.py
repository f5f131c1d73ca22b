"""Every page carries a content security policy that allows no inline script and no other origin."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_pages_forbid_inline_and_foreign_scripts(users, login):
    response = login(users["leader"]).get("/cockpit/")
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    page = response.content.decode()
    # every script is a file of this server, or JSON data that is never executed
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert login(users["leader"]).get("/api/v1/docs")["Content-Security-Policy"] == policy
