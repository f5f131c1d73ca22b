"""Heavy libraries loaded on first use, so that a command or page that never needs them does not pay for them
at start-up (NumPy alone is a tenth of a second, and every `kuochan` command loads every app's models)."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule(ModuleType):
    """Stands for the module of its name: the first attribute read imports it (under the import system's
    lock, so two threads at once both get the whole module) and copies its names here, so later reads are
    plain look-ups."""

    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self.__name__)
        self.__dict__.update(vars(module))
        return getattr(module, attribute)
