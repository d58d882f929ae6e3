"""Reads of a fixed shape, compiled by Django once and then only executed.

Building and compiling a queryset costs far more than running it: reading a plan with three
related rows takes about 1 ms of Python on this machine, of which the database's work is a
tenth. The hot path of an approval step reads the same few shapes every time (the plan under
its lock, the task with its facts, the ledger's head, a membership), changing only the ids
and the day. A ``Prepared`` read is defined by a function building the queryset from its
parameters; Django's own compiler turns it into SQL once per database connection (and per
``shape``, for a read whose SQL depends on more than its values), with a marker value for each
parameter, and each later call runs that SQL with the real values and builds the rows as the
queryset would (``from_db``, select_related's populators, the fields' converters).

Nothing is hand-written SQL: the statement is Django's, for the database in use, and a test
compares every prepared read with its queryset. A parameter whose marker Django did not pass
through as a plain parameter (a ``LIKE`` pattern, say) is refused when the read is compiled.
Parameter types: ``int`` (ids), ``str`` and ``datetime.date``."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.sql.subqueries import UpdateQuery

M = TypeVar("M", bound=Model)

def _marker(kind: type, index: int, second: bool) -> Any:
    """A stand-in value for parameter ``index``: a read is compiled twice, with two sets of
    stand-ins, and the parameters that differ are the slots (a constant that happens to equal
    a stand-in stays the same in both). Ids stay inside a small integer field's range: Django
    finds no rows for an id out of its field's range, and compiles nothing."""
    if kind is int:
        return (32_001 if second else 31_001) + index
    if kind is str:
        return f"\x1fprepared-{'b' if second else 'a'}-{index}\x1f"
    if kind is datetime.date:
        return datetime.date((1_501 if second else 1_001) + index, 2, 3)
    raise TypeError(f"A prepared read takes int, str or date parameters, not {kind!r}.")


@dataclass
class _Compiled:
    sql: str
    params: list[Any]
    slots: list[tuple[int, str, Callable[[Any], Any] | None]]
    mode: str  # "model", "tuple" or "flat"
    converters: list[tuple[int, list[Any], Any]]
    model: Any = None
    init_list: list[str] | None = None
    start: int = 0
    end: int = 0
    populators: list[Any] | None = None

    def bound(self, values: dict[str, Any]) -> list[Any]:
        """The statement's parameters with ``values`` in their slots."""
        params = list(self.params)
        for position, name, adapt in self.slots:
            value = values[name]
            params[position] = value if adapt is None else adapt(value)
        return params


class Prepared(Generic[M]):
    """``Prepared(lambda plan: Plan.objects.filter(pk=plan), plan=int)``; then
    ``read.all(plan=7)``, ``read.first(plan=7)``, ``read.exists(plan=7)``.

    ``build`` may take a first positional argument, the ``shape``: a hashable value (a set of
    roles, say) that changes the SQL itself; each shape is compiled once."""

    def __init__(self, build: Callable[..., QuerySet[Any]], **params: type) -> None:
        self.build = build
        self.params = params
        self._compiled: dict[tuple[str, str, Hashable], _Compiled] = {}

    # Running.

    def all(self, *, shape: Hashable = None, using: str = DEFAULT_DB_ALIAS,
            **values: Any) -> list[Any]:
        connection = connections[using]
        compiled = self._for(connection, shape)
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, compiled.bound(values))
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [_converted(row, compiled.converters, connection) for row in rows]
        if compiled.mode == "flat":
            return [row[0] for row in rows]
        if compiled.mode == "tuple":
            return [tuple(row) for row in rows]
        objs = []
        for row in rows:
            obj = compiled.model.from_db(using, compiled.init_list,
                                         row[compiled.start:compiled.end])
            for populator in compiled.populators or ():
                populator.populate(row, obj)
            objs.append(obj)
        return objs

    def first(self, **values: Any) -> Any:
        rows = self.all(**values)
        return rows[0] if rows else None

    def exists(self, **values: Any) -> bool:
        return bool(self.all(**values))

    def update(self, *, shape: Hashable = None, using: str = DEFAULT_DB_ALIAS,
               **values: Any) -> int:
        """Run a prepared update (``build`` returns the queryset and the new values, as
        ``PreparedUpdate`` says); the number of rows changed."""
        connection = connections[using]
        compiled = self._for(connection, shape)
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, compiled.bound(values))
            return cursor.rowcount

    def _for(self, connection: Any, shape: Hashable) -> _Compiled:
        key = (connection.alias, connection.vendor, shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(connection, shape)
        return compiled

    # Compiling.

    def _built(self, shape: Hashable, second: bool) -> tuple[dict[str, Any], Any]:
        markers = {name: _marker(kind, i, second)
                   for i, (name, kind) in enumerate(self.params.items())}
        return markers, self.build(**markers) if shape is None else self.build(shape, **markers)

    def _sql(self, connection: Any, built: Any) -> tuple[str, list[Any], Any]:
        queryset = built
        if queryset.query.annotations or queryset.query.extra:
            raise ValueError("A prepared read is a plain select: no annotations or extra.")
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        return sql, list(params), compiler

    def _compiled_twice(self, connection: Any,
                        shape: Hashable) -> tuple[Any, Any, str, list[Any], list[Any]]:
        """The statement compiled with each set of stand-ins: the first build, its compiler,
        SQL and parameters, and the slots where the parameters go."""
        markers, built = self._built(shape, second=False)
        other_markers, other = self._built(shape, second=True)
        sql, params, compiler = self._sql(connection, built)
        other_sql, other_params, _ = self._sql(connection, other)
        slots = _slots(sql, params, markers, other_sql, other_params, other_markers,
                       connection)
        return built, compiler, sql, params, slots

    def _compile(self, connection: Any, shape: Hashable) -> _Compiled:
        queryset, compiler, sql, params, slots = self._compiled_twice(connection, shape)
        fields = [column[0] for column in compiler.select[0:compiler.col_count]]
        converters = [(pos, convs, expr)
                      for pos, (convs, expr) in compiler.get_converters(fields).items()]
        iterable = queryset._iterable_class
        if iterable is FlatValuesListIterable:
            return _Compiled(sql, params, slots, "flat", converters)
        if iterable is ValuesListIterable:
            return _Compiled(sql, params, slots, "tuple", converters)
        if not issubclass(iterable, ModelIterable) or getattr(queryset, "_coerced", False):
            # viewflow's task and process iterables are ModelIterable unless coerced
            raise ValueError("A prepared read returns model instances or values_list rows.")
        klass_info = compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Compiled(
            sql, params, slots, "model", converters,
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in compiler.select[start:end]],
            start=start, end=end,
            populators=get_related_populators(klass_info, compiler.select, connection.alias),
        )


class PreparedUpdate(Prepared[Any]):
    """``PreparedUpdate(lambda head, seq: (AuditHead.objects.filter(pk=head),
    {"last_seq": seq}), head=int, seq=int)``; then ``write.update(head=1, seq=8)``: the
    queryset's ``update()``, compiled once."""

    def _sql(self, connection: Any, built: Any) -> tuple[str, list[Any], Any]:
        queryset, new_values = built
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(new_values)
        if query.related_updates:
            raise ValueError("A prepared update changes one table.")
        compiler = query.get_compiler(connection=connection)
        compiler.pre_sql_setup()
        sql, params = compiler.as_sql()
        return sql, list(params), compiler

    def _compile(self, connection: Any, shape: Hashable) -> _Compiled:
        _, _, sql, params, slots = self._compiled_twice(connection, shape)
        return _Compiled(sql, params, slots, "update", [])


def _cursor(connection: Any) -> Any:
    """The connection's cursor, wrapped as Django wraps its own (statement logging, execute
    wrappers, thread checks). On PostgreSQL it binds its parameters on the server (Django's
    ServerBindingCursor; Django's default cursor binds on the client and so can never use a
    prepared statement): psycopg then keeps each statement prepared on the server once it
    has run ``prepare_threshold`` times on the connection (plangov.env sets it), and the
    server no longer parses and plans it. The time zone is set as Django's create_cursor
    sets it."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)
        tzloader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        if connection.timezone != tzloader.timezone:
            register_tzloader(connection.timezone, raw)
        return connection._prepare_cursor(raw)


def _slots(sql: str, params: list[Any], markers: dict[str, Any], other_sql: str,
           other_params: list[Any], other_markers: dict[str, Any],
           connection: Any) -> list[tuple[int, str, Any]]:
    """Where each parameter stands in the compiled parameters (the positions whose values
    differ between the two compiles), and how its value is adapted there. Refuses a statement
    whose SQL itself depends on a value, or a value Django did not pass as a plain
    parameter (a ``LIKE`` pattern, say)."""
    if sql != other_sql or len(params) != len(other_params):
        raise ValueError("The statement's SQL depends on a parameter's value; use a shape.")
    slots: list[tuple[int, str, Any]] = []
    found = set()
    for position, (param, other) in enumerate(zip(params, other_params, strict=True)):
        if param == other:
            continue
        for name, marker in markers.items():
            adapt = _adapter(param, marker, connection)
            if adapt is not False and _adapter(other, other_markers[name], connection) == adapt:
                slots.append((position, name, adapt))
                found.add(name)
                break
        else:
            raise ValueError(f"Parameter {position} is not a plain value of a parameter.")
    missing = set(markers) - found
    if missing:
        raise ValueError(f"Parameters not found in the compiled statement: {sorted(missing)}.")
    return slots


def _adapter(param: Any, marker: Any, connection: Any) -> Any:
    """How a value of the parameter whose marker is ``marker`` becomes the compiled
    parameter ``param``: None (as it is), a function, or False (``param`` is not it)."""
    if type(param) is type(marker) and param == marker:
        return None
    if isinstance(marker, int) and isinstance(param, int) and param == marker:
        return type(param)  # psycopg's Int2, Int4 or Int8, as Django passes ids on PostgreSQL
    if isinstance(marker, datetime.date) and param == connection.ops.adapt_datefield_value(
            marker):
        return connection.ops.adapt_datefield_value
    return False


def _converted(row: Any, converters: list[tuple[int, list[Any], Any]],
               connection: Any) -> list[Any]:
    row = list(row)
    for position, convs, expression in converters:
        value = row[position]
        for converter in convs:
            value = converter(value, expression, connection)
        row[position] = value
    return row
