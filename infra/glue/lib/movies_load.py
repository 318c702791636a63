"""The SQL of the Glue job's load: the staging table, its preactions and the MERGE postactions.

movie_etl.py stages the good rows with the Redshift writer (preactions, COPY, postactions) and
takes every statement from here. Standard library only, so it runs and is tested without Spark
or Glue. `contract` is the JSON of contractJson() (contract/contract.ts); `carried` names
the contract columns the drop has.

A movie already in the table gets only the columns the drop carries and the lineage (the rule
of updatedColumns in contract/contract.ts, which the local twin applies); a new movie gets
NULL in the columns the drop lacks. Every name in the SQL comes from the contract; values (the
source key among them) are staged as data, never written into the SQL.
"""

import re

LINEAGE = ("source_key", "loaded_at")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*", re.ASCII)


def _identifier(name):
    """A plain lower-case SQL identifier, or ValueError: nothing else is written into the SQL."""
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def canonical_columns(contract):
    """The drop's columns as staged, in table order: the contract's input columns, then primary_genre."""
    return [_identifier(c["name"]) for c in contract["inputColumns"]] + ["primary_genre"]


def staged_columns(contract):
    """Every column of the staging table: the canonical ones, then the lineage."""
    return canonical_columns(contract) + list(LINEAGE)


def staging_table(contract, execution):
    """The run's own table in the staging schema (the loader may create tables there and nowhere else)."""
    table = _identifier(contract["table"])
    suffix = re.sub(r"[^a-z0-9]", "_", execution.lower())
    return f"{_identifier(contract['stagingSchema'])}." + f"{table}_{suffix}"[:127]


def updated_columns(contract, carried):
    """The columns the MERGE sets on a movie already in the table, in table order.

    The contract columns in `carried` but the key, primary_genre if `carried` has genres, then
    the lineage. A name in `carried` the contract does not know is a ValueError.
    """
    carried = set(carried)
    names = [c["name"] for c in contract["inputColumns"]]
    unknown = sorted(carried - set(names))
    if unknown:
        raise ValueError(f"not contract columns: {', '.join(map(repr, unknown))}")
    key = contract["primaryKey"]
    columns = [n for n in names if n in carried and n != key]
    if "genres" in carried:
        columns.append("primary_genre")
    return [_identifier(c) for c in columns] + list(LINEAGE)


def preactions(contract, execution):
    """Before the COPY: a fresh staging table shaped like the target."""
    staging = staging_table(contract, execution)
    return f"DROP TABLE IF EXISTS {staging}; CREATE TABLE {staging} (LIKE {_identifier(contract['table'])});"


def postactions(contract, execution, carried):
    """After the COPY, in one transaction: the MERGE by the key, then the staging table dropped."""
    table = _identifier(contract["table"])
    key = _identifier(contract["primaryKey"])
    staging = staging_table(contract, execution)
    every = staged_columns(contract)
    updates = ", ".join(f"{c} = s.{c}" for c in updated_columns(contract, carried))
    return (
        f"BEGIN; MERGE INTO {table} USING {staging} s ON {table}.{key} = s.{key} "
        f"WHEN MATCHED THEN UPDATE SET {updates} "
        f"WHEN NOT MATCHED THEN INSERT ({', '.join(every)}) VALUES ({', '.join(f's.{c}' for c in every)}); "
        f"DROP TABLE {staging}; END;"
    )
