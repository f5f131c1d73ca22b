"""On PostgreSQL, the login and security log refuses any UPDATE, and any DELETE of an entry younger than
180 days, to any SQL (accounts.models.RETENTION_FLOOR_DAYS, which no policy can lower)."""

from django.db import migrations

from kuochan.core.pgsql import on_postgresql

CREATE = """
CREATE OR REPLACE FUNCTION kuochan_security_log_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION '登录和安全日志不能修改' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.at > now() - interval '180 days' THEN
        RAISE EXCEPTION '登录和安全日志至少保存 180 天，不能删除 % 的记录', OLD.at
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS security_log_guard ON accounts_securityevent;
CREATE TRIGGER security_log_guard BEFORE UPDATE OR DELETE ON accounts_securityevent
    FOR EACH ROW EXECUTE FUNCTION kuochan_security_log_guard();
"""
DROP = """
DROP TRIGGER IF EXISTS security_log_guard ON accounts_securityevent;
DROP FUNCTION IF EXISTS kuochan_security_log_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_securitypolicy_securityevent_path_and_more")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
