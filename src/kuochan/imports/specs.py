"""What an import kind is: its columns (the standard names users already use, with synonyms) and the
per-kind checks and writes. Each app declares its kinds in its own `importers.py` and registers them;
`REGISTRY` finds them."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.functional import lazy
from django.utils.module_loading import autodiscover_modules

from kuochan.imports.parsing import MONEY_UNITS, CellError, header_key, plain_text, split_unit, to_hundredths

if TYPE_CHECKING:
    from pathlib import Path

    from kuochan.imports.engine import Plan, Row
    from kuochan.imports.reading import Table


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the standard header, with its unit: "营业收入（万元）"
    parse: Callable[[object], Any] = plain_text
    synonyms: tuple[str, ...] = ()
    required: bool = False
    money: bool = False  # a 万元 amount: header units (元/万元/亿元) convert; value in hundredths
    help: str = ""
    example: object = ""
    number_format: str = ""  # how an export shows the column's numbers ("#,##0.00"); none for text
    negative: bool = False  # a number that may be below zero (a loss, a fall); its parse takes allow_negative

    def explained(self) -> str:
        """The column's help as the template's 填表说明 gives it, saying whether a number may be negative."""
        if not self.number_format:
            return self.help
        sign = "可填负数" if self.negative else "不能为负数"
        return f"{self.help}；{sign}" if self.help else sign

    def names(self) -> Iterable[str]:
        yield header_key(self.header)
        yield split_unit(header_key(self.header))[0]
        yield from (header_key(name) for name in self.synonyms)

    def reader(self, file_unit: str) -> Callable[[object], Any]:
        """The parser for this column as headed in the file (a money column converts the file's unit)."""
        if not self.money:
            return partial(self.parse, allow_negative=True) if self.negative else self.parse
        if file_unit and file_unit not in MONEY_UNITS:
            raise CellError(f"无法识别的金额单位“{file_unit}”，应为 元、万元 或 亿元")
        factor = MONEY_UNITS.get(file_unit, Decimal(1))
        if factor == 1 and not self.negative:
            return to_hundredths  # the common case, with the engine's fast path for number cells
        return partial(to_hundredths, factor=factor, allow_negative=self.negative)


AMOUNT_FORMAT = "#,##0.00"  # Excel's number format for amounts and quantities: 1,234.50
COUNT_FORMAT = "#,##0"


def money(key: str, header: str, **kwargs: Any) -> Column:
    return Column(
        key=key,
        header=header,
        money=True,
        help=kwargs.pop("help", "金额，单位万元；可写 1,200 或 1200万元"),
        number_format=AMOUNT_FORMAT,
        **kwargs,
    )


def quantity(key: str, header: str, **kwargs: Any) -> Column:
    """A two-decimal non-money quantity (吨, 亩, 万千瓦时), in hundredths."""
    return Column(key=key, header=header, parse=to_hundredths, number_format=AMOUNT_FORMAT, **kwargs)


@dataclass
class Importer(ABC):
    """Base of every import kind. Subclasses set the class attributes and implement the steps."""

    kind: ClassVar[str]
    title: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    notes: ClassVar[tuple[str, ...]] = ()
    warns: ClassVar[bool] = False  # kinds whose checks also give warnings report a `warnings` key

    actor: Any
    context: dict[str, Any] = field(default_factory=dict)
    alongside: bool = False  # may query on another thread meanwhile (the worker and command line only)

    def parsed_late(self) -> set[str]:
        """Keys of the columns that neither `check` nor telling a new row from a stored one needs: their
        cells are parsed for a new row only as `write` writes it, and for a stored row when `plan` compares
        it (`engine.parse_pending`), perhaps while a query runs: their readers must not query. None by
        default."""
        return set()

    def read(self, path: Path) -> Table:
        """The file's table: one header row (or two) over data rows, by `columns`. A kind whose files are
        laid out otherwise (indicators as columns under a two-row header) reads them itself. It may run on
        another thread while `prefetch` runs: it must not query."""
        from kuochan.imports.reading import read_table  # reading needs Column from here

        return read_table(path, self.columns)

    def prefetch(self, file_bytes: int) -> None:
        """Look-ups that need nothing from the file, made while it is read on another thread (the reader
        holds no lock on Python meanwhile); results go in `context`. Nothing by default."""
        return None

    @abstractmethod
    def check(self, rows: list[Row]) -> None:
        """Lookups, scope, duplicates and cross-field rules for all rows at once; errors go on the rows."""

    @abstractmethod
    def plan(self, rows: list[Row]) -> Plan:
        """Compare the valid rows with what is stored: what to create, update, or leave alone."""

    @abstractmethod
    def write(self, plan: Plan, *, batch_id: int, source: str) -> None:
        """Write the plan and its audit entries (each carrying `batch_id`)."""

    @classmethod
    @abstractmethod
    def queryset(cls, actor: Any) -> Any:
        """The objects of this kind the actor may export, in a stable order."""

    @abstractmethod
    def export_rows(self, queryset: Any) -> Iterable[list[object]]:
        """Rows of cells in `columns` order for the given objects (export is the import's inverse)."""

    @classmethod
    def headers(cls) -> list[str]:
        return [column.header for column in cls.columns]


class Registry(Mapping[str, type[Importer]]):
    """The import kinds by name. Each app's `importers` module registers its own; they are found on the
    first look-up rather than at start-up, because they bring in the import engine and NumPy, which a
    command or page that imports nothing has no use for."""

    def __init__(self) -> None:
        self._kinds: dict[str, type[Importer]] = {}
        self._discovered = False
        self._lock = threading.RLock()  # two first requests at once both wait for every kind

    def add(self, importer: type[Importer]) -> None:
        self._kinds[importer.kind] = importer

    def _all(self) -> dict[str, type[Importer]]:
        if not self._discovered:
            with self._lock:
                if not self._discovered:
                    autodiscover_modules("importers")
                    self._discovered = True
        return self._kinds

    def __getitem__(self, kind: str) -> type[Importer]:
        return self._all()[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


REGISTRY = Registry()


def kinds_help() -> str:
    """The kinds' names for a command's --help, read only when the help is shown (lazily, see below)."""
    return "、".join(sorted(REGISTRY))


kinds_help_lazy = lazy(kinds_help, str)


def register(importer: type[Importer]) -> type[Importer]:
    REGISTRY.add(importer)
    return importer
