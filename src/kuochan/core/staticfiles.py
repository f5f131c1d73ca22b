"""The front-end packages' files, served from this server (no CDN on an intranet) and collected for production.

Only the files the pages load, and the source maps those files name, are taken from node_modules
(settings.KUOCHAN_VENDOR_FILES), not whole packages: a package's dist folder holds hundreds of other files,
some naming source maps the package does not ship, which stops `collectstatic`'s hashing storage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core import checks
from django.core.files.storage import FileSystemStorage


class VendorStorage(FileSystemStorage):
    """Reads each listed static path from its file under node_modules."""

    def __init__(self, files: dict[str, Path]) -> None:
        super().__init__(location=settings.NODE_MODULES)
        self.files = files

    def path(self, name: str) -> str:
        return str(self.files[name])


class VendorFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.files = {
            name: Path(settings.NODE_MODULES) / file for name, file in settings.KUOCHAN_VENDOR_FILES.items()
        }
        self.storage = VendorStorage(self.files)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [
            checks.Error(f"缺少前端文件 {path}：请先运行 npm ci（或 make setup）。", id="core.E001")
            for path in self.files.values()
            if not path.is_file()
        ]

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        """The file's path, or all (one) of them; [] when it is not one of ours, as Django's finders do."""
        found = [str(self.files[path])] if path in self.files and self.files[path].is_file() else []
        return found[0] if found and not find_all else found

    def list(self, ignore_patterns: list[str] | None) -> Iterator[tuple[str, VendorStorage]]:
        for name in self.files:
            yield name, self.storage
