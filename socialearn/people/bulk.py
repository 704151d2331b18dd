"""Bulk loading for the demo seeds: COPY through a scratch table, idempotently."""

from collections.abc import Iterable

from django.db import connection


def copy_rows(
    table: str, columns: list[str], rows: Iterable[tuple], computed: dict[str, str] | None = None
) -> None:
    """COPY rows in through a scratch table; `computed` adds columns from SQL expressions
    over the copied ones (search vectors). Rows whose key exists already are skipped."""
    computed = computed or {}
    cols = ", ".join(columns)
    scratch = f"bulk_{table}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
        cursor.execute(
            f"CREATE TEMP TABLE {scratch} AS SELECT {cols} FROM {table} WITH NO DATA"  # noqa: S608
        )
        with cursor.cursor.copy(f"COPY {scratch} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        targets = ", ".join([*columns, *computed])
        values = ", ".join([*columns, *computed.values()])
        cursor.execute(
            f"INSERT INTO {table} ({targets}) SELECT {values} FROM {scratch} "  # noqa: S608
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute(f"DROP TABLE {scratch}")
