"""Monthly RANGE partitions of the append-only tables, on PostgreSQL.

``ProfileSnapshot`` and ``CommunitySnapshot`` (by ``captured_at``) and ``SystemLog`` (by
``created_at``) are PostgreSQL partitioned tables: one partition per calendar month (UTC), named
``<table>_pYYYYMM``, plus ``<table>_default`` for a row outside every month that exists, so an insert
never fails for want of a partition. Why monthly: growth windows are 7 to 180 days, so a bounded
query reads one to seven partitions; the roll-up and log retention work a month at a time; and ten
years are 120 partitions, well under the hundreds where planning time starts to show.

The functions take the model (or its table name) as an argument, so this module imports no domain
app. On SQLite, or on a table that is not partitioned, they do nothing and return empty lists: the
embedded default keeps plain tables.

Interface for anything that loads history in bulk (``manage.py demo_scale``; ``COPY`` into the
parent table routes each row to its partition)::

    from config.partitions import ensure_partitions
    ensure_partitions(ProfileSnapshot, since=oldest, until=newest)  # before the COPY

Creating a month after rows for it landed in the default partition is fine but slow (the rows are
moved); create the months first. The beat task ``config.tasks.ensure_partitions`` keeps
``PARTITIONS_MONTHS_AHEAD`` months ready.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

Table = type[models.Model] | str


@dataclass(frozen=True)
class Partition:
    """One partition of a partitioned table; ``lower``/``upper`` are None for the default one."""

    name: str
    lower: datetime | None
    upper: datetime | None

    @property
    def is_default(self) -> bool:
        return self.lower is None


def _table(model: Table) -> str:
    return model if isinstance(model, str) else model._meta.db_table


def month_start(moment: date | datetime) -> datetime:
    """The first instant (UTC) of the calendar month holding ``moment``."""
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def add_months(start: datetime, months: int) -> datetime:
    """The first instant of the month ``months`` after the month holding ``start`` (UTC)."""
    index = start.year * 12 + start.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_name(model: Table, start: datetime) -> str:
    """``<table>_pYYYYMM`` for the month starting at ``start``."""
    return f"{_table(model)}_p{start:%Y%m}"


def partition_key(model: Table, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """The column a table is RANGE-partitioned by, or None when it is a plain table (or not PostgreSQL)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_partkeydef(c.oid) FROM pg_class c "
            "WHERE c.relname = %s AND c.relkind = 'p' AND pg_table_is_visible(c.oid)",
            [_table(model)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    # "RANGE (captured_at)"
    return row[0].split("(", 1)[1].rstrip(")").strip()


def is_partitioned(model: Table, using: str = DEFAULT_DB_ALIAS) -> bool:
    return partition_key(model, using) is not None


def partitions(model: Table, using: str = DEFAULT_DB_ALIAS) -> list[Partition]:
    """The table's partitions, oldest month first, the default one last; empty when not partitioned."""
    if not is_partitioned(model, using):
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = %s AND pg_table_is_visible(p.oid)",
            [_table(model)],
        )
        rows = cursor.fetchall()
    found = []
    for name, bound in rows:
        if bound == "DEFAULT":
            found.append(Partition(name, None, None))
            continue
        # "FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00')"
        lower, upper = (datetime.fromisoformat(part.split("'")[1]) for part in bound.split(" TO "))
        found.append(Partition(name, lower, upper))
    return sorted(found, key=lambda p: (p.is_default, p.lower or datetime.min.replace(tzinfo=UTC)))


def ensure_partitions(
    model: Table, since: date | datetime, until: date | datetime, *, using: str = DEFAULT_DB_ALIAS
) -> list[str]:
    """Create the missing monthly partitions covering ``since`` to ``until`` (both months included),
    and the default partition; returns the names created. Idempotent, and safe to run concurrently
    (a transaction-level advisory lock per table). Rows that already sit in the default partition
    for a month being created are moved into the new partition. Does nothing on SQLite or on a
    table that is not partitioned."""
    key = partition_key(model, using)
    if key is None:
        return []
    connection = connections[using]
    quote = connection.ops.quote_name
    table = _table(model)
    created = []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"partitions:{table}"])
        # Adding a partition locks the parent table exclusively for a moment; behind a long report it
        # would queue every insert behind it, so give up instead (the daily task works months ahead).
        cursor.execute("SET LOCAL lock_timeout = '10s'")
        existing = partitions(model, using)
        names = {p.name for p in existing}
        default = f"{table}_default"
        if default not in names:
            cursor.execute(f"CREATE TABLE {quote(default)} PARTITION OF {quote(table)} DEFAULT")
            created.append(default)
        start, last = month_start(since), month_start(until)
        while start <= last:
            name = partition_name(table, start)
            end = add_months(start, 1)
            if name not in names:
                _create_month(cursor, quote, table, key, default, name, start, end)
                created.append(name)
            start = end
        # SET LOCAL outlives this savepoint when the caller holds a transaction: hand its timeout back.
        cursor.execute("SET LOCAL lock_timeout = DEFAULT")
    return created


def _create_month(cursor, quote, table: str, key: str, default: str, name: str, start: datetime, end: datetime) -> None:
    # DDL takes no bind parameters; the bounds are datetimes this module built, not input.
    bounds = f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {quote(default)} WHERE {quote(key)} >= %s AND {quote(key)} < %s)",
        [start, end],
    )
    if not cursor.fetchone()[0]:
        cursor.execute(f"CREATE TABLE {quote(name)} PARTITION OF {quote(table)} {bounds}")
        return
    # PostgreSQL refuses a new partition whose range has rows in the default one: build the month
    # as a plain table, move those rows into it, then attach it (indexes and foreign keys follow).
    cursor.execute(f"CREATE TABLE {quote(name)} (LIKE {quote(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {quote(default)} WHERE {quote(key)} >= %s AND {quote(key)} < %s RETURNING *) "
        f"INSERT INTO {quote(name)} SELECT * FROM moved",
        [start, end],
    )
    cursor.execute(f"ALTER TABLE {quote(table)} ATTACH PARTITION {quote(name)} {bounds}")


def drop_partitions_before(model: Table, cutoff: datetime, *, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Drop every monthly partition that ends at or before ``cutoff``; returns the names dropped.
    Dropping a partition is one catalog change, however many rows it holds (no DELETE, no vacuum)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    dropped = []
    for partition in partitions(model, using):
        if partition.upper is not None and partition.upper <= cutoff:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                # Deferred foreign-key checks queued earlier in the caller's transaction would block
                # the DROP; fire them now, as Django's schema editor does around its ALTER TABLEs.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"DROP TABLE {quote(partition.name)}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            dropped.append(partition.name)
    return dropped


ROLLED_UP = "rolled up: the last row of each ISO week per {group}"
WEEK = timedelta(days=7)


@dataclass
class RollUp:
    """What one ``roll_up_weekly`` call did: rows deleted, partitions finished, whether work remains."""

    deleted: int = 0
    partitions: int = 0
    more: bool = False


def roll_up_weekly(
    model: Table,
    group_by: str,
    before: datetime,
    *,
    chunk: int = 1000,
    budget_seconds: float = 480.0,
    using: str = DEFAULT_DB_ALIAS,
) -> RollUp:
    """Thin old history to one row per ISO week per ``group_by`` value: the last row of the week
    (highest key, then highest id) stays, the others are deleted.

    Only monthly partitions whose every ISO week ends before ``before`` are touched, so the newest
    data never is; the default partition is left alone. Work goes partition by partition, week by
    week, ``chunk`` groups per ``DELETE`` (a statement touches at most ``chunk`` × rows-per-week rows
    of two partitions at most), and a finished partition gets a table comment so later runs skip it.
    Stops after ``budget_seconds`` with ``more=True``; running again redoes nothing that was kept
    (idempotent). Outside a transaction each finished month is rewritten (``VACUUM FULL``) so the
    disk space comes back. Does nothing on SQLite or on a table that is not partitioned."""
    result = RollUp()
    key = partition_key(model, using)
    if key is None:
        return result
    connection = connections[using]
    quote = connection.ops.quote_name
    table, group = _table(model), quote(group_by)
    marker = ROLLED_UP.format(group=group_by)
    started = time.monotonic()
    for partition in partitions(model, using):
        if partition.is_default or partition.upper + WEEK > before or _comment(connection, partition.name) == marker:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT min({group}), max({group}) FROM {quote(partition.name)}")
            low, high = cursor.fetchone()
            week = partition.lower - timedelta(days=partition.lower.weekday())  # the Monday (ISO week start)
            while low is not None and week < partition.upper:
                for first in range(low, high + 1, chunk):
                    if time.monotonic() - started > budget_seconds:
                        result.more = True
                        return result
                    bounds = [week, week + WEEK, first, first + chunk]
                    where = f"{quote(key)} >= %s AND {quote(key)} < %s AND {group} >= %s AND {group} < %s"
                    cursor.execute(
                        f"DELETE FROM {quote(table)} WHERE {where} AND id NOT IN ("
                        f"SELECT DISTINCT ON ({group}) id FROM {quote(table)} WHERE {where} "
                        f"ORDER BY {group}, {quote(key)} DESC, id DESC)",
                        bounds + bounds,
                    )
                    result.deleted += cursor.rowcount
                week += WEEK
            # DDL takes no bind parameters; the marker is this module's constant.
            cursor.execute(f"COMMENT ON TABLE {quote(partition.name)} IS '{marker}'")
            if not connection.in_atomic_block:
                # DELETE leaves the month's file at its old size, and no new row ever reuses an old
                # month's free space: rewrite it to the rows kept (a brief lock on that month only).
                cursor.execute(f"VACUUM (FULL, ANALYZE) {quote(partition.name)}")
        result.partitions += 1
    return result


def _comment(connection, name: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description(%s::regclass, 'pg_class')", [name])
        return cursor.fetchone()[0]


def partition_existing_table(schema_editor, model: Table, key: str, *, months_ahead: int = 3) -> None:
    """Turn a plain table into one RANGE-partitioned by ``key`` by month, keeping its rows, identity
    sequence, indexes, check constraints and foreign keys (for a ``RunPython`` migration).

    PostgreSQL requires the partition key in every unique index, so the primary key becomes
    ``(id, key)``. Django's model state keeps ``id`` as the primary key: the ORM only needs ``id``
    to be unique, and it is, because one identity sequence numbers every partition. Does nothing on
    SQLite or when the table is already partitioned; refuses a table that another table references
    (a foreign key needs a unique index on ``id`` alone, which a partitioned table cannot have)."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or is_partitioned(model, connection.alias):
        return
    table = _table(model)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Deferred foreign-key checks queued earlier in this transaction would block the DROP below.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        oid, pk_name, constraints, indexes = _definitions(cursor, table)
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE confrelid = %s", [oid])
        if cursor.fetchone()[0]:
            raise RuntimeError(f"{table} is referenced by a foreign key; it cannot be partitioned")
        cursor.execute(f"SELECT min({quote(key)}), max(id) FROM {quote(table)}")
        oldest, max_id = cursor.fetchone()
        old = f"{table}__plain"
        cursor.execute(f"ALTER TABLE {quote(table)} RENAME TO {quote(old)}")
        # LIKE copies columns, NOT NULL and defaults but not the identity: the old table's identity
        # sequence goes with it, and the new table gets its own, set past the highest id below.
        cursor.execute(
            f"CREATE TABLE {quote(table)} (LIKE {quote(old)} INCLUDING DEFAULTS INCLUDING STORAGE) "
            f"PARTITION BY RANGE ({quote(key)})"
        )
        now = datetime.now(UTC)
        until = add_months(now, months_ahead)
        ensure_partitions(table, since=min(oldest or now, now), until=until, using=connection.alias)
        cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote(old)}")
        cursor.execute(f"DROP TABLE {quote(old)}")
        _restore(cursor, quote, table, pk_name, f"id, {quote(key)}", constraints, indexes, max_id)


def unpartition_table(schema_editor, model: Table) -> None:
    """The reverse of ``partition_existing_table``: one plain table again, primary key ``id``."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or not is_partitioned(model, connection.alias):
        return
    table = _table(model)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        _oid, pk_name, constraints, indexes = _definitions(cursor, table)
        cursor.execute(f"SELECT max(id) FROM {quote(table)}")
        max_id = cursor.fetchone()[0]
        old = f"{table}__partitioned"
        cursor.execute(f"ALTER TABLE {quote(table)} RENAME TO {quote(old)}")
        cursor.execute(f"CREATE TABLE {quote(table)} (LIKE {quote(old)} INCLUDING DEFAULTS INCLUDING STORAGE)")
        cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote(old)}")
        cursor.execute(f"DROP TABLE {quote(old)}")
        _restore(cursor, quote, table, pk_name, "id", constraints, indexes, max_id)


def _definitions(cursor, table: str) -> tuple[int, str, list[tuple[str, str]], list[str]]:
    """The table's oid, primary key name, CHECK/FOREIGN KEY constraints and other indexes, as SQL."""
    cursor.execute("SELECT c.oid FROM pg_class c WHERE c.relname = %s AND pg_table_is_visible(c.oid)", [table])
    oid = cursor.fetchone()[0]
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s ORDER BY conname",
        [oid],
    )
    pk_name, constraints = None, []
    for name, kind, definition in cursor.fetchall():
        if kind == "p":
            pk_name = name
        elif kind in ("c", "f"):
            constraints.append((name, definition))
        else:
            raise RuntimeError(f"{table}: constraint {name} ({kind}) is not supported by the partition rebuild")
    # Indexes that back no constraint (the primary key is re-created separately).
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY i.indexrelid",
        [oid],
    )
    return oid, pk_name, constraints, [row[0] for row in cursor.fetchall()]


def _restore(cursor, quote, table, pk_name, pk_columns, constraints, indexes, max_id) -> None:
    cursor.execute(f"ALTER TABLE {quote(table)} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
    cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)", [table, max_id or 1, max_id is not None])
    cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(pk_name)} PRIMARY KEY ({pk_columns})")
    for name, definition in constraints:
        cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
    for definition in indexes:
        cursor.execute(definition)
    cursor.execute(f"ANALYZE {quote(table)}")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
