"""RFC 4180 records from bytes, read exactly as contract/csv.ts reads them, and split so
that Spark tasks read one object in parallel with exact line numbers.

The rules (the TypeScript reader is the reference; `npm run parity` holds the two together):
- A field that starts with a quote is quoted: `""` inside is a quote, and it may hold commas
  and newlines. Text after its closing quote keeps the field's raw text and flags the record.
- A field that does not start with a quote runs to the next comma, CR or LF; quotes inside
  it are plain text.
- A record ends at LF, CRLF or a lone CR. Lines are counted as the TypeScript reader counts
  them: every LF, plus every lone CR that ends a record.
- A line with nothing on it is no record. A UTF-8 BOM at the start is not data.
- File faults: invalid UTF-8, a NUL byte, a record whose body is longer than MAX_RECORD_BYTES,
  a quote never closed, a file that ends inside a UTF-8 character. The one reported is the
  first a reader streaming the file would notice (notice_of), whatever the splits.

How a file is split: each task owns the records that *start* in its byte range. It cannot know
the parser's state at its first byte, so the first pass follows every state the parser could
be in there (they meet again within a record or two) and reports, per state, where its first
own record starts and where the next range's does; the driver chains the ranges from the top
of the file, so each task learns its true first record and line with only these small
summaries crossing the network. The second pass reads the records themselves.
"""

import csv as _csv
import re

MAX_RECORD_BYTES = 1 << 20
BOM = b"\xef\xbb\xbf"
LFS_POINTER = b"version https://git-lfs.github.com/spec/"

UNTERMINATED = "a quoted field is never closed (unterminated quote)"
# Usually a quote left open, but a field can be that large too: the limit and where it is set
# (tooLongReason in contract/csv.ts says the same).
TOO_LONG = (
    f"a record is longer than {MAX_RECORD_BYTES} bytes (is it an unterminated quote? A record, line breaks in"
    f" quotes included, may hold at most {MAX_RECORD_BYTES >> 20} MiB; a larger one needs MAX_RECORD_BYTES"
    " raised in contract/csv.ts and infra/glue/lib/movies_csv.py)"
)
NOT_UTF8 = "the file is not valid UTF-8"
NUL = "the file contains a NUL byte (is it binary, or UTF-16?)"
CUT_CHARACTER = "the file ends in the middle of a UTF-8 character"
LFS = "this is a Git LFS pointer, not the data (check out with LFS enabled, e.g. actions/checkout with lfs: true)"

# One field: quoted (possessive, so `""` is always an escaped quote, never a close and a stray
# quote) with any stray text after the close, or unquoted. A record is fields joined by commas.
_QUOTED = rb'"[^"]*+(?:""[^"]*+)*+"[^,\r\n]*+'
_PLAIN = rb'[^,\r\n"][^,\r\n]*+'
_FIELD = rb"(?:%s|%s|)" % (_QUOTED, _PLAIN)
RECORD = re.compile(rb"%s(?:,%s)*+" % (_FIELD, _FIELD))
_WELL = rb'(?:"[^"]*+(?:""[^"]*+)*+"|[^,\r\n"][^,\r\n]*+|)'
_WELL_FORMED = re.compile(rb"%s(?:,%s)*+" % (_WELL, _WELL))
# Python's csv module refuses longer fields (csv.field_size_limit); such records take the slow path.
_CSV_FIELD_LIMIT = _csv.field_size_limit()
FIELD = re.compile(rb'"([^"]*+(?:""[^"]*+)*+)"([^,\r\n]*+)|([^,\r\n]*+)')

# Parser states at a byte boundary, for the first pass of a split (see the module doc).
RECORD_START, FIELD_START, PLAIN, QUOTED, QUOTE_SEEN, STRAY, AFTER_CR = range(7)
STATES = (RECORD_START, FIELD_START, PLAIN, QUOTED, QUOTE_SEEN, STRAY, AFTER_CR)


class CsvFileError(Exception):
    """The whole file is unreadable. `line` is 1-based or None; `offset` is where the fault is;
    `notice` is how far a reader streaming the file has read when it knows of the fault (see
    notice_of), which orders it against other faults and a header the contract refuses."""

    def __init__(self, reason, line, offset=0, notice=None):
        super().__init__(reason)
        self.reason, self.line, self.offset = reason, line, offset
        self.notice = offset if notice is None else notice


def notice_of(offset, reason, size):
    """How far the TypeScript reader has read (a file offset) when it knows of a fault, and the
    rank among faults noticed at the same point. A bad byte is known once the bytes before it are
    read; a record too long once it has MAX_RECORD_BYTES + 1 bytes (`offset` is then that point,
    and it is reported before a bad byte found there); a character cut short, and a quote never
    closed after it, only at the end of the file."""
    if reason == TOO_LONG:
        return offset, 0
    if reason == CUT_CHARACTER:
        return size, 1
    if reason == UNTERMINATED:
        return size, 2
    return offset, 1


class Record:
    """One record: where it starts, its raw field texts, and a lenient-read defect if any."""

    __slots__ = ("offset", "line", "fields", "defect")

    def __init__(self, offset, line, fields, defect):
        self.offset, self.line, self.fields, self.defect = offset, line, fields, defect


class NeedMore(Exception):
    """The buffer ends inside a record: read further."""


def scan_record(buf, pos, final):
    """The record starting at pos: (end of its body, start of the next record). NeedMore when
    the buffer ends inside it; CsvFileError(UNTERMINATED) with the open quote's offset."""
    end = RECORD.match(buf, pos).end()
    n = len(buf)
    if end >= n:
        if not final:
            raise NeedMore()
        return end, end
    c = buf[end]
    if c == 0x0A:
        return end, end + 1
    if c == 0x0D:
        if end + 1 >= n and not final:
            raise NeedMore()
        return end, end + (2 if end + 1 < n and buf[end + 1] == 0x0A else 1)
    # Stopped at a quote that opens a field and does not close within the buffer.
    if not final:
        raise NeedMore()
    raise CsvFileError(UNTERMINATED, None, end)


def split_fields(buf, start, end):
    """Raw field texts (str) of a record body and its defect (None when clean)."""
    body = buf[start:end]
    if b'"' not in body:
        return body.decode("utf-8").split(","), None
    if len(body) <= _CSV_FIELD_LIMIT and _WELL_FORMED.fullmatch(body):
        # Every quote opens or closes a field, or is doubled inside one: Python's csv module
        # reads that exactly as RFC 4180 says, and in C.
        return next(_csv.reader((body.decode("utf-8"),), strict=True)), None
    fields, defect, pos = [], None, start
    while True:
        m = FIELD.match(buf, pos, end)
        quoted, stray, plain = m.group(1), m.group(2), m.group(3)
        if plain is not None:
            fields.append(plain.decode("utf-8"))
        elif stray:
            # As the TypeScript reader: the last such field is the one named.
            defect = f"field {len(fields) + 1} has text after its closing quote"
            fields.append(buf[m.start():m.end()].decode("utf-8"))
        else:
            fields.append(quoted.decode("utf-8").replace('""', '"'))
        pos = m.end()
        if pos >= end:
            return fields, defect
        pos += 1  # the comma


_QUOTED_REST = re.compile(rb'[^"]*+(?:""[^"]*+)*+"')
_TO_DELIMITER = re.compile(rb"[^,\r\n]*+")


def finish_partial(buf, pos, state, final):
    """From `pos` in `state`, where the next record starts (the rest of the current one
    skipped). NeedMore if the buffer ends first."""
    n = len(buf)
    if state == RECORD_START:
        return pos
    if state == AFTER_CR:
        if pos >= n and not final:
            raise NeedMore()
        return pos + 1 if pos < n and buf[pos] == 0x0A else pos
    if state == QUOTE_SEEN and pos < n and buf[pos] == 0x22:
        state, pos = QUOTED, pos + 1  # the quote seen was the first of an escaped pair
    if state == QUOTED:
        m = _QUOTED_REST.match(buf, pos)
        if not m or (m.end() >= n and not final):
            raise NeedMore()
        pos, state = m.end(), STRAY
    if state in (PLAIN, STRAY, QUOTE_SEEN):
        pos = _TO_DELIMITER.match(buf, pos).end()
        if pos < n and buf[pos] == 0x2C:
            state, pos = FIELD_START, pos + 1
    if state == FIELD_START:
        # The rest of the record is fields, as at a record start.
        return scan_record(buf, pos, final)[1]
    if pos >= n:
        if not final:
            raise NeedMore()
        return pos
    if buf[pos] == 0x0A:
        return pos + 1
    if pos + 1 >= n and not final:
        raise NeedMore()
    return pos + (2 if pos + 1 < n and buf[pos + 1] == 0x0A else 1)


def byte_fault(data, base, at_eof):
    """The first invalid-UTF-8, NUL or cut-character fault in `data` (starting at file offset
    `base`, on a character boundary) as (offset, reason), or None."""
    nul = data.find(b"\x00")
    bad = None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        # `data` ends after the last continuation byte: a character cut short there is cut by
        # the end of the file, or followed by a byte that cannot continue it.
        cut = err.reason == "unexpected end of data" and at_eof
        bad = (base + err.start, CUT_CHARACTER if cut else NOT_UTF8)
    if nul != -1 and (bad is None or base + nul < bad[0]):
        return (base + nul, NUL)
    return bad


def char_start(buf, pos):
    """The first offset >= pos that is not a UTF-8 continuation byte."""
    n = len(buf)
    while pos < n and 0x80 <= buf[pos] < 0xC0:
        pos += 1
    return pos


def walk(buf, start, stop, final, base, reference=None):
    """Records from buf[start] (a record start) until one starts at or after `stop`.

    Returns {next, lines, records, fault}: where the first record at or after `stop` starts (a
    file offset), the lines and non-blank records in between, and the first record fault as
    [offset, reason, lines before it, its record's offset]; the offset orders faults (where a
    reader streaming the file notices it). With `reference` ({offset: (lines, records, walk)}
    of another walk), stops where the two meet and takes the other walk's tail.
    """
    pos, lines, records, fault = start, 0, 0, None
    boundaries = {} if reference is None else None
    n = len(buf)
    while pos < stop:
        if reference is not None and pos in reference:
            at_lines, at_records, ref = reference[pos]
            tail = ref["fault"]
            if fault is None and tail is not None and tail[3] >= base + pos:
                fault = [tail[0], tail[1], lines + tail[2] - at_lines, tail[3]]
            return {"next": ref["next"], "lines": lines + ref["lines"] - at_lines,
                    "records": records + ref["records"] - at_records, "fault": fault}
        if boundaries is not None:
            boundaries[pos] = (lines, records)
        try:
            body_end, nxt = scan_record(buf, pos, final)
        except NeedMore:
            # Only a record longer than the limit outruns the bytes read past the split.
            fault = fault or [base + pos + MAX_RECORD_BYTES + 1, TOO_LONG, lines, base + pos]
            pos = n
            break
        except CsvFileError as err:
            if n - pos > MAX_RECORD_BYTES:
                fault = fault or [base + pos + MAX_RECORD_BYTES + 1, TOO_LONG, lines, base + pos]
            else:
                fault = fault or [base + n, UNTERMINATED, lines + buf.count(b"\n", pos, err.offset), base + pos]
            pos = n
            break
        if body_end - pos > MAX_RECORD_BYTES and fault is None:
            fault = [base + pos + MAX_RECORD_BYTES + 1, TOO_LONG, lines, base + pos]
        if body_end > pos:
            records += 1
        lines += buf.count(b"\n", pos, body_end) + (1 if nxt > body_end else 0)
        pos = nxt
    result = {"next": base + pos, "lines": lines, "records": records, "fault": fault}
    if boundaries is not None:
        result["boundaries"] = boundaries
    return result


# --- one object across tasks ---

def plan(size, split_bytes):
    """Byte ranges [start, end) that cover the object (the first one holds a BOM whole)."""
    cuts = [c for c in range(split_bytes, size, split_bytes) if c >= len(BOM)]
    edges = [0, *cuts, size]
    return [(a, b) for a, b in zip(edges, edges[1:])] or [(0, 0)]


def _read_split(read_range, start, end, size):
    """The split's bytes and enough past its end to finish its last record; and whether they reach EOF."""
    stop = min(size, end + MAX_RECORD_BYTES + 2)
    return read_range(start, stop), stop >= size


def _data_start(buf, start):
    return len(BOM) if start == 0 and buf.startswith(BOM) else 0


def summarize(read_range, start, end, size):
    """First pass over one split. For each place this split's first own record could start (one
    per parser state the split's first byte could be in), a walk to the next split's first
    record; and the split's first byte fault. Small: this is all that reaches the driver."""
    buf, final = _read_split(read_range, start, end, size)
    stop = end - start
    first = _data_start(buf, start)
    # Continuation bytes at a split's start belong to the character the split before checks; at
    # the file's start they belong to none, and are checked here.
    check_from, check_to = first if start == 0 else char_start(buf, first), char_start(buf, stop)
    fault = byte_fault(buf[check_from:check_to], start + check_from, final and check_to >= len(buf))
    candidates = set()
    for state in STATES if start > 0 else (RECORD_START,):
        try:
            candidates.add(finish_partial(buf, first, state, final))
        except (NeedMore, CsvFileError):
            pass  # a state whose record cannot end within reach is not the true one
    walks, reference = {}, None
    for b in sorted(candidates):
        if b >= stop:
            walks[start + b] = {"next": start + b, "lines": 0, "records": 0, "fault": None}
        elif reference is None:
            w = walk(buf, b, stop, final, start)
            reference = {p: (lines, records, w) for p, (lines, records) in w.pop("boundaries").items()}
            walks[start + b] = w
        else:
            walks[start + b] = walk(buf, b, stop, final, start, reference)
    return {"start": start, "end": end, "byteFault": fault, "walks": walks}


def chain(summaries, size):
    """The driver's part: chains the splits from the top of the file. Returns each split's true
    first record offset and line, the total of non-blank records, and the first fault as
    (offset, reason, line or None) — a byte fault's line is found afterwards (line_at), since
    only the split that holds it can count up to it. "First" is what a reader streaming the file
    notices first (notice_of). After a record fault the reader stops, so the splits after it are
    not chained (their line is None): only their byte faults can still come first."""
    faults, resolved, line, records = [], [], 1, 0
    nxt = summaries[0]["start"]
    stopped = False
    for i, s in enumerate(summaries):
        if s["byteFault"]:
            faults.append((s["byteFault"][0], s["byteFault"][1], None))
        if stopped:
            resolved.append({"start": s["start"], "end": s["end"], "first": s["end"], "line": None, "records": 0})
            continue
        if i == 0:
            (at, w), = s["walks"].items()
        else:
            at = nxt
            w = s["walks"].get(at) if at < s["end"] else {"next": at, "lines": 0, "records": 0, "fault": None}
            if w is None:
                raise AssertionError(f"split at {s['start']}: no walk starts at {at}")
        resolved.append({"start": s["start"], "end": s["end"], "first": at, "line": line, "records": w["records"]})
        if w["fault"]:
            faults.append((w["fault"][0], w["fault"][1], line + w["fault"][2]))
            stopped = True
        line, records, nxt = line + w["lines"], records + w["records"], w["next"]
    fault = min(faults, key=lambda f: notice_of(f[0], f[1], size)) if faults else None
    return resolved, records, fault


def split_of(resolved, offset):
    """The resolved split whose records hold `offset`."""
    for s in reversed(resolved):
        if s["line"] is not None and s["first"] <= offset:
            return s
    return resolved[0]


def line_at(read_range, split, offset, size):
    """The line of byte `offset`: the newlines before it, plus the lone CRs that end records
    before it, counted from the record start that precedes it in `split`."""
    first, rel = split["first"], offset - split["first"]
    buf = read_range(first, min(size, offset + 2))
    pos, lone_crs = 0, 0
    while pos < rel:
        try:
            body_end, nxt = scan_record(buf, pos, True)
        except CsvFileError:
            break  # a quote open past the offset: no record ends before it
        if nxt > rel:
            break
        lone_crs += nxt - body_end == 1 and buf[body_end] == 0x0D
        pos = nxt
    return split["line"] + buf.count(b"\n", 0, rel) + lone_crs


def first_record(read_range, split, size, until=None):
    """The first non-blank record from `split` on (the header), read a little at a time, and how
    far a reader streaming the file has read when it has the record whole: past its line break
    and, after a CR, one byte more to see whether an LF follows (a record at the very end: only
    at the end, size + 1). With `until`, (None, None) unless the reader has it by that offset."""
    pos, line = split["first"], split["line"]
    limit = size if until is None else min(size, until)
    while pos < limit:
        stop = min(size, pos + MAX_RECORD_BYTES + 2)
        buf, final, p = read_range(pos, stop), stop >= size, 0
        while p < len(buf):
            try:
                body_end, nxt = scan_record(buf, p, final)
            except NeedMore:
                break
            except CsvFileError:
                return None, None  # a quote never closed: the file's fault, not a header
            if body_end > p:
                seen = size + 1 if nxt == body_end else pos + body_end + (1 if buf[body_end] == 0x0A else 2)
                if until is not None and seen > until:
                    return None, None  # the reader meets the fault first (it may lie in this very record)
                fields, defect = split_fields(buf, p, body_end)
                return Record(pos + p, line, fields, defect), seen
            line += buf.count(b"\n", p, body_end) + (1 if nxt > body_end else 0)
            p = nxt
        if p == 0:
            return None, None  # a record longer than the limit: the file's fault, not a header
        pos += p
    return None, None


def records(read_range, split, size):
    """Second pass: the records that start in `split` (a resolved split), as Record objects."""
    start, first = split["start"], split["first"]
    if first >= split["end"]:
        return
    buf, final = _read_split(read_range, first, split["end"], size)
    stop, line, pos = split["end"] - first, split["line"], 0
    while pos < stop:
        body_end, nxt = scan_record(buf, pos, final)
        if body_end > pos:
            fields, defect = split_fields(buf, pos, body_end)
            yield Record(first + pos, line, fields, defect)
        line += buf.count(b"\n", pos, body_end) + (1 if nxt > body_end else 0)
        pos = nxt


def scan_file(read_range, size, split_bytes=64 << 20, map_splits=map):
    """The first pass over an object: (resolved splits, count of non-blank records, the file's
    first fault as a CsvFileError or None). `map_splits` runs a function over the splits (map
    here; Spark's parallelize+map on Glue)."""
    splits = plan(size, split_bytes)
    summaries = list(map_splits(lambda s: summarize(read_range, s[0], s[1], size), splits))
    resolved, count, fault = chain(summaries, size)
    if fault:
        offset, reason, line = fault
        if line is None:
            line = line_at(read_range, split_of(resolved, offset), offset, size)
        fault = CsvFileError(reason, line, offset, notice_of(offset, reason, size)[0])
    return resolved, count, fault
