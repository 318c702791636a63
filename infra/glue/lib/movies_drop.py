"""One drop read through the data contract, as readDrop (contract/movie-reader.ts) reads
it: the same file errors, with the same reason and line, and the same rows.

The file is read in splits (movies_csv): `open_drop` runs the first pass (on Glue, across
tasks through `map_splits`) and settles everything about the file as a whole: it is a drop
(or DropFileError says why not), its header and layout, how many rows it has. `drop_rows` then
turns the records of one split into canonical rows, so each task can read its own split.
`read_drop` is both in one process. No Spark, no Glue, no AWS import.

A file error comes first, so no row is ever produced from a file that is not a drop (readDrop
may hand out rows before it reaches a fault further down; its caller then throws them away).
Which error a file gets is the one a reader streaming it from the top meets first:
- a Git LFS pointer (its first bytes), before anything else;
- then whichever the reader knows of first: a header the contract refuses (line 1; known once
  the header is read with its line break), or the CSV reader's first fault (movies_csv.notice_of);
- then a file with no record ("the file is empty"), or with the header only ("... no data rows").
"""

from movies_contract import DropFileError, canonical, resolve_header
from movies_csv import LFS, LFS_POINTER, first_record, records, scan_file

EMPTY = "the file is empty"
HEADER_ONLY = "the file has a header but no data rows"


class Drop:
    """A file that is a drop: its layout, its resolved splits and where its header record is."""

    __slots__ = ("name", "size", "layout", "splits", "header_offset", "rows")

    def __init__(self, name, size, layout, splits, header_offset, rows):
        self.name, self.size, self.layout, self.splits = name, size, layout, splits
        self.header_offset, self.rows = header_offset, rows


def open_drop(contract, name, read_range, size, split_bytes=64 << 20, map_splits=map, mapping=None):
    """The drop in a file of `size` bytes (read_range(start, end) returns bytes), its header read
    through `mapping` (movies_mapping.parse_mapping, or None), or DropFileError(name, line, reason)
    as readDrop raises it."""
    if size >= len(LFS_POINTER) and read_range(0, len(LFS_POINTER)) == LFS_POINTER:
        raise DropFileError(name, 1, LFS)
    splits, count, fault = scan_file(read_range, size, split_bytes, map_splits)
    if fault is not None:
        header = _header_read_before(read_range, splits, size, fault.notice)
        if header is not None:
            resolve_header(contract, name, header.fields, mapping)
        raise DropFileError(name, fault.line, fault.reason)
    if count == 0:
        raise DropFileError(name, None, EMPTY)
    header, _ = first_record(read_range, next(s for s in splits if s["records"] > 0), size)
    layout = resolve_header(contract, name, header.fields, mapping)
    if count == 1:
        raise DropFileError(name, None, HEADER_ONLY)
    return Drop(name, size, layout, splits, header.offset, count - 1)


def drop_rows(drop, read_range, split):
    """The rows whose records start in `split` (one of drop.splits), in file order, as
    (line, canonical values, problems [(reason, value or None)], the record's raw fields)."""
    for record in records(read_range, split, drop.size):
        if record.offset == drop.header_offset:
            continue
        values, problems = canonical(drop.layout, record.fields, record.defect)
        yield record.line, values, problems, record.fields


def read_drop(contract, name, read_range, size, split_bytes=64 << 20, map_splits=map, mapping=None):
    """Every row of the drop (as drop_rows yields them); the generator's return value is the Drop.
    Raises DropFileError before the first row when the file is not a drop."""
    drop = open_drop(contract, name, read_range, size, split_bytes, map_splits, mapping)
    for split in drop.splits:
        yield from drop_rows(drop, read_range, split)
    return drop


def _header_read_before(read_range, splits, size, notice):
    """The header record if a reader streaming the file has it whole before it has read up to
    `notice`, else None."""
    split = next((s for s in splits if s["line"] is not None and s["records"] > 0), None)
    if split is None:
        return None
    return first_record(read_range, split, size, until=notice)[0]
