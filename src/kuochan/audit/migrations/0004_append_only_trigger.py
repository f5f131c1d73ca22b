"""On PostgreSQL, the audit trail refuses UPDATE and DELETE to any SQL, not only to the application.

(SQLite, for the demo and development, has the application's guard only: Django's test flush deletes
rows there, which a trigger would refuse.)"""

from django.db import migrations

from kuochan.core.pgsql import on_postgresql

CREATE = """
CREATE OR REPLACE FUNCTION kuochan_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计记录只能新增，不能修改或删除（%）', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditentry;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION kuochan_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS kuochan_audit_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_alter_auditentry_actor")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
