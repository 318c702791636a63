"""Columns as functions of a row; aggregates as functions of a group of rows."""

import builtins


class Column:
    def __init__(self, f, name="col", aggregate=None):
        self.f, self.name, self.aggregate_f = f, name, aggregate
        self.explode, self.descending = False, False

    def __call__(self, row):
        return self.f(row)

    def aggregate(self, rows):
        return self.aggregate_f(rows)

    def alias(self, name):
        c = Column(self.f, name, self.aggregate_f)
        c.explode = self.explode
        return c

    def cast(self, _type):
        if self.aggregate_f:
            return Column(self.f, self.name, lambda rows: _long(self.aggregate_f(rows)))
        return Column(lambda r: _long(self.f(r)) if _type == "long" else self.f(r), self.name)

    def __invert__(self):
        return Column(lambda r: not self.f(r), self.name)

    def isin(self, *values):
        return Column(lambda r: self.f(r) in values, self.name)

    def __getitem__(self, i):
        return Column(lambda r: (self.f(r) or [None])[i], self.name)


def _long(v):
    return int(v) if isinstance(v, bool) else v


def _column(c):
    return col(c) if isinstance(c, str) else c


def col(name):
    return Column(lambda r: r[name], name)


def lit(value):
    return Column(lambda r: value, "lit")


def current_timestamp():
    return lit("2026-12-02 00:00:00")


def udf(f, _type):
    from pyspark._ship import check

    check(f)
    return lambda *cols: Column(lambda r: f(*(_column(c)(r) for c in cols)), "udf")


def count(c):
    return Column(None, "count", lambda rows: len(rows))


def sum(c):  # noqa: A001 (as pyspark names it)
    c = _column(c)
    return Column(None, "sum", lambda rows: builtins.sum(c(r) for r in rows) if rows else None)


def collect_list(name):
    return Column(None, name, lambda rows: [r[name] for r in rows])


def array_sort(c):
    return Column(None, c.name, lambda rows: sorted(c.aggregate(rows)))


def slice(c, start, length):  # noqa: A001
    return Column(None, c.name, lambda rows: c.aggregate(rows)[start - 1:start - 1 + length])


def desc(name):
    c = col(name)
    c.descending = True
    return c


def coalesce(*cols):
    cols = [_column(c) for c in cols]
    return Column(lambda r: next((v for v in (c(r) for c in cols) if v is not None), None), "coalesce")


def array(*cols):
    return Column(lambda r: [c(r) for c in cols], "array")


def filter(c, f):  # noqa: A001
    c = _column(c)
    return Column(lambda r: [x for x in c(r) if f(lit(x))(r)], "filter")


def concat(*cols):
    cols = [_column(c) for c in cols]
    return Column(lambda r: [x for c in cols for x in c(r)], "concat")


def explode(c):
    c = Column(_column(c).f, "col")
    c.explode = True
    return c
