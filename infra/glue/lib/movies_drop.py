"""A drop read through the contract, in steps a Spark job can spread over its executors.

The same steps as readDrop in infra/pipeline/movie-reader.ts: the LFS-pointer check, the file's
faults (first in the file wins), the header resolved against the contract, then each data row's
canonical values and contract problems. `read_drop` runs them in order here (the parity check
and the tests); the Glue job runs `summarize` and `rows` as Spark tasks instead of `map`.
"""

import movies_contract as contract_rules
import movies_csv as csv

DropFileError = contract_rules.DropFileError


class Plan:
    """What the driver knows after the first pass: the splits chained, the header's layout."""

    def __init__(self, resolved, rows, layout, header_offset):
        self.resolved, self.rows, self.layout, self.header_offset = resolved, rows, layout, header_offset


def plan_drop(contract, name, read_range, size, split_bytes, map_splits=map):
    """First pass: checks the whole file and resolves its header, or raises DropFileError.
    `map_splits(f, splits)` runs f on every split (Spark on Glue) and returns the results in order."""
    if read_range(0, min(size, len(csv.LFS_POINTER))) == csv.LFS_POINTER:
        raise DropFileError(name, 1, csv.LFS)
    splits = csv.plan(size, split_bytes)
    summaries = list(map_splits(lambda s: csv.summarize(read_range, s[0], s[1], size), splits))
    resolved, records, fault = csv.chain(summaries, size)
    header, seen_at = None, size
    if records:
        try:
            header, seen_at = csv.first_record(read_range, next(s for s in resolved if s["records"]), size)
        except UnicodeDecodeError:
            pass  # the header holds the file's first fault, reported below
    # The first fault in the file wins, as in a streaming read: a bad header found before a
    # broken byte further down is the one reported.
    if fault and fault[0] < seen_at:
        _raise_fault(read_range, resolved, fault, size, name)
    if header is None:
        raise DropFileError(name, None, "the file is empty")
    layout = contract_rules.resolve_header(contract, name, header.fields)
    if fault:
        _raise_fault(read_range, resolved, fault, size, name)
    if records == 1:
        raise DropFileError(name, None, "the file has a header but no data rows")
    return Plan(resolved, records - 1, layout, header.offset)


def _raise_fault(read_range, resolved, fault, size, name):
    offset, reason, line = fault
    if line is None:
        line = csv.line_at(read_range, csv.split_of(resolved, offset), offset, size)
    raise DropFileError(name, line, reason)


def rows(plan, read_range, split, size):
    """Second pass over one split: (line, values, problems, raw fields) per data row."""
    for record in csv.records(read_range, split, size):
        if record.offset == plan.header_offset:
            continue
        values, problems = contract_rules.canonical(plan.layout, record.fields, record.defect)
        yield record.line, values, problems, record.fields


def read_drop(contract, name, data, split_bytes=64 << 20):
    """The whole drop in order, from bytes: (plan, [rows])."""
    read_range = lambda start, end: data[start:end]
    plan = plan_drop(contract, name, read_range, len(data), split_bytes)
    return plan, [row for split in plan.resolved for row in rows(plan, read_range, split, len(data))]
