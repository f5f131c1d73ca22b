"""Backup and restore of the whole platform: the database (SQLite through its online backup API, PostgreSQL
through pg_dump / pg_restore) and the uploaded and generated files, in one archive with a manifest of what
it holds (the database vendor, when, and every table's row count), checked again after a restore."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT = "kuochan-backup-1"


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason in Chinese."""


def table_counts() -> dict[str, int]:
    """Every table of the platform's models with its number of rows."""
    counts = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table not in counts and table in connection.introspection.table_names(cursor):
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
    return dict(sorted(counts.items()))


def _pg_env() -> tuple[list[str], dict[str, str]]:
    """pg_dump / pg_restore connection options for the current database, the password in the environment."""
    s = connection.settings_dict
    options = [
        "-h",
        s.get("HOST") or "127.0.0.1",
        "-p",
        str(s.get("PORT") or 5432),
        "-U",
        s.get("USER") or "postgres",
    ]
    env = {**os.environ, "PGPASSWORD": s.get("PASSWORD") or "", "PGCONNECT_TIMEOUT": "10"}
    return [*options, "-d", s["NAME"]], env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到 {command[0]}：请安装 PostgreSQL 客户端工具。") from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{done.stderr.strip()[-500:]}")


def _dump_database(folder: Path) -> str:
    if connection.vendor == "sqlite":
        target = folder / "database.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # a consistent copy while others may be writing
        finally:
            copy.close()
        return target.name
    if connection.vendor == "postgresql":
        target = folder / "database.dump"
        options, env = _pg_env()
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "-f", str(target), *options], env
        )
        return target.name
    raise BackupError(f"不支持的数据库：{connection.vendor}")


@dataclass(frozen=True)
class BackupResult:
    path: Path
    vendor: str
    tables: int
    rows: int
    files: int
    sha256: str


def backup_create(target: Path) -> BackupResult:
    """Write an archive of the database and the media folder to `target` (.tar.gz)."""
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        database = _dump_database(folder)
        counts = table_counts()
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
        manifest = {
            "format": FORMAT, "vendor": connection.vendor, "database": database,
            "created_at": timezone.localtime().isoformat(timespec="seconds"), "tables": counts,
            "files": len(files),
        }  # fmt: skip
        target.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(target, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(dt.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(folder / database, arcname=database)
            for path in files:
                archive.add(path, arcname=f"media/{path.relative_to(media)}")
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    return BackupResult(target, connection.vendor, len(counts), sum(counts.values()), len(files), digest)


def _manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.loads(archive.extractfile(MANIFEST).read())
    except (KeyError, AttributeError, json.JSONDecodeError) as exc:
        raise BackupError("不是扩产通的备份文件（缺少或无法读取 manifest.json）。") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份文件格式为“{manifest.get('format')}”，本版本只能恢复“{FORMAT}”。")
    return manifest


def backup_restore(source: Path) -> dict[str, int]:
    """Replace the database and the media folder by the archive's, then check every table's row count
    against the manifest. Returns the counts."""
    if not source.is_file():
        raise BackupError(f"找不到备份文件：{source}")
    with tempfile.TemporaryDirectory() as work:
        try:
            with tarfile.open(source, "r:gz") as archive:
                manifest = _manifest(archive)
                if manifest["vendor"] != connection.vendor:
                    raise BackupError(
                        f"备份来自 {manifest['vendor']} 数据库，当前是 {connection.vendor}，不能直接恢复。"
                    )
                archive.extractall(work, filter="data")  # nothing outside the folder, no links or devices
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BackupError(f"备份文件已损坏，无法读取：{exc}") from exc
        folder = Path(work)
        _load_database(folder / manifest["database"])
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.rmtree(media)
        if (folder / "media").exists():
            shutil.copytree(folder / "media", media)
    counts = table_counts()
    if differing := {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}:
        shown = "；".join(f"{t}：备份 {a} 行，恢复后 {b} 行" for t, (a, b) in list(differing.items())[:5])
        raise BackupError(f"恢复后行数与备份不一致：{shown}")
    return counts


def _load_database(dump: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(dump)
        try:
            copy.backup(connection.connection)  # the live file replaced page by page, in one step
        finally:
            copy.close()
        return
    options, env = _pg_env()
    connection.close()  # pg_restore drops and recreates the tables: no lock of ours may stand in the way
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          *options, str(dump)], env)  # fmt: skip
