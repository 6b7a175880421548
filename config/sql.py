"""Hand-written SELECTs for the lookups every API request makes, read into model instances.

For a one-row indexed lookup, building and compiling the ORM query costs several times running it:
DRF's token lookup (``Token.objects.select_related("user").get(key=…)``) took 566 µs per call
(483 µs of CPU) against 207 µs (144 µs of CPU) for the same row read here
(``bench/bench_request_path.py``), and the creator-report lookup (two correlated subqueries) spent
about 1.8 ms compiling. The few lookups on that path are written once as SQL, built once per
process (callers keep the ``RowStatement`` in an ``lru_cache``) and read here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, models
from django.db.models import DEFERRED
from django.db.models.expressions import Col

# Per column, the ORM's steps from a database value to a Python one (SQLite dates, JSON, time zones).
Converters = tuple[tuple[tuple[Callable, Col], ...], ...]


def model_fields(model: type[models.Model], only: Sequence[str] = ()) -> tuple[models.Field, ...]:
    """Concrete fields in the model's order (``Model.from_db()`` maps values to fields in that order).

    ``only`` keeps those fields and the primary key, as ``QuerySet.only()`` does; the rest are deferred.
    """
    meta = model._meta
    wanted = {meta.get_field(name).attname for name in (meta.pk.name, *only)}
    return tuple(field for field in meta.concrete_fields if not only or field.attname in wanted)


def select_list(alias: str, table: str, fields: Sequence[models.Field]) -> str:
    """``t."col", t."col2", …`` for ``fields`` of the table called ``table`` in the statement."""
    quote = connections[alias].ops.quote_name
    return ", ".join(f"{table}.{quote(field.column)}" for field in fields)


@dataclass(frozen=True)
class ModelColumns:
    """Where one model's columns lie in a row, and where each goes among the model's fields."""

    model: type[models.Model]
    width: int
    pk_at: int
    # Every concrete field DEFERRED but the selected ones, at ``positions``: handing Model.from_db()
    # all of them spares it matching each field's name against the selected ones, which was the
    # costliest step of reading a creator-report lookup (7 of 60-odd fields).
    template: tuple[Any, ...]
    positions: tuple[int, ...]

    @classmethod
    def of(cls, model: type[models.Model], fields: Sequence[models.Field]) -> ModelColumns:
        concrete = model._meta.concrete_fields
        positions = tuple(concrete.index(field) for field in fields)
        return cls(model, len(fields), list(fields).index(model._meta.pk), (DEFERRED,) * len(concrete), positions)

    def instance(self, alias: str, values: Sequence[Any]) -> models.Model | None:
        """The model instance of these values, ``None`` where the primary key is NULL (a LEFT JOIN's miss)."""
        if values[self.pk_at] is None:
            return None
        full = list(self.template)
        for position, value in zip(self.positions, values, strict=True):
            full[position] = value
        return self.model.from_db(alias, None, full)


@dataclass(frozen=True, eq=False)
class Join:
    """More to read in the same round trip: ``select`` columns (``selected`` models, then ``extras``)
    from the ``sql`` of a join. Compared and hashed by identity: build one per process (an
    ``lru_cache``), so a statement cache keyed on it never hashes its fields per request."""

    sql: str
    select: str
    selected: tuple[tuple[type[models.Model], tuple[models.Field, ...]], ...]
    extras: tuple[models.Field | None, ...] = ()


NO_JOIN = Join("", "", ())


@dataclass(frozen=True)
class RowStatement:
    """One SELECT and how to read its row: each model's columns in turn, then the extra columns.

    The converters are bound to the connection of the thread that built the statement; they read
    only settings (time zone, JSON decoder), the same for every connection to this alias, and are
    handed the caller's connection when they run.
    """

    sql: str
    models: tuple[ModelColumns, ...]
    converters: Converters

    @classmethod
    def build(
        cls,
        alias: str,
        sql: str,
        selected: Sequence[tuple[type[models.Model], Sequence[models.Field]]],
        extras: Sequence[models.Field | None] = (),
    ) -> RowStatement:
        """``selected``: each model and the fields ``sql`` selects of it, in order; ``extras``: what
        the columns after them hold (a field to convert them as, or ``None`` to keep the driver's value)."""
        connection = connections[alias]
        fields = [field for _, columns in selected for field in columns]
        converters = []
        for field in [*fields, *extras]:
            if field is None:
                converters.append(())
                continue
            column = field.get_col(field.model._meta.db_table)
            steps = [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]
            converters.append(tuple((step, column) for step in steps))
        layout = tuple(ModelColumns.of(model, columns) for model, columns in selected)
        return cls(sql, layout, tuple(converters))

    def fetch(self, alias: str, params: Sequence[Any]) -> tuple[list[models.Model | None], list[Any]] | None:
        """Run the statement: ``None`` for no row, else the instances and the extra values."""
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        values = []
        for value, steps in zip(row, self.converters, strict=True):
            for converter, column in steps:
                value = converter(value, column, connection)
            values.append(value)
        instances: list[models.Model | None] = []
        start = 0
        for part in self.models:
            instances.append(part.instance(alias, values[start : start + part.width]))
            start += part.width
        return instances, values[start:]
