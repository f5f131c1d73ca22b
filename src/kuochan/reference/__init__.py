"""Reference data sets shipped with the product (Huzhou is the first), and loading them.

A data set is a folder under `reference/data/`; each app contributes a loader for its own file.
Loading is idempotent: running it twice changes nothing the second time.
"""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

DATA_DIR = Path(__file__).resolve().parent / "data"


def data_file(relative: str) -> Path:
    """A file inside the reference data folder; refuses paths that leave it."""
    path = (DATA_DIR / relative).resolve()
    if not path.is_relative_to(DATA_DIR) or not path.is_file():
        raise FileNotFoundError(relative)
    return path


def read_json(dataset: str, name: str) -> dict[str, Any]:
    try:
        path = data_file(f"{dataset}/{name}")
    except FileNotFoundError as exc:
        raise ValidationError(f"参考数据集“{dataset}”中没有文件 {name}。") from exc
    return json.loads(path.read_text(encoding="utf-8"))


def data_files(dataset: str, pattern: str) -> list[str]:
    """The names of a data set's files matching `pattern` (e.g. the plans beyond the first, plan_*.json)."""
    folder = DATA_DIR / dataset
    return sorted(path.name for path in folder.glob(pattern)) if folder.is_dir() else []


def datasets() -> list[str]:
    return sorted(path.name for path in DATA_DIR.iterdir() if path.is_dir())
