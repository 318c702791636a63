"""A column mapping, in plain Python: the twin of contract/mapping.ts, rule for rule.

The format, the transforms and every message are the TypeScript module's; the tests run both
on the same files and values. Only ASCII is special, so both engines agree. No Spark, no Glue,
no AWS import: `python3` runs it in the tests.
"""

import json
import re

TRANSFORM_NAMES = [
    'year from date "FORMAT"',
    "minutes",
    "money",
    'number "," or number "."',
    'list "SEPARATOR"',
    "trim",
    "lower",
    "upper",
    "title",
]

DATE_TOKENS = ["yyyy", "yy", "MMMM", "MMM", "MM", "M", "dd", "d"]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
FULL_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]
DATE_PARTS = {
    "yyyy": "([0-9]{4})",
    "yy": "([0-9]{2})",
    "MMMM": "([A-Za-z]+)",
    "MMM": "([A-Za-z]{3})",
    "MM": "([0-9]{2})",
    "M": "([0-9]{1,2})",
    "dd": "([0-9]{2})",
    "d": "([0-9]{1,2})",
}


class MappingError(Exception):
    """What is wrong with a mapping file, and where: `file:line: why`."""

    def __init__(self, file, line, reason):
        super().__init__(f"{file}:{line}: {reason}")
        self.file, self.line, self.reason = file, line, reason


def trim(text):
    return text.strip(" \t")


def parse_mapping(text, file, columns):
    """The mapping in `text` for the contract's column names; the first problem is a MappingError."""
    mapped = []
    for i, raw in enumerate(re.split(r"\r\n|\r|\n", text)):
        line = i + 1
        content = trim(_strip_comment(raw))
        if not content:
            continue

        def fail(reason, line=line):
            raise MappingError(file, line, reason)

        colon = content.find(":")
        if colon < 0:
            fail(f'expected "column: source header", found "{content}"')
        column = trim(content[:colon])
        if column not in columns:
            fail(f'"{column}" is not a contract column{_closest(column, columns)}; the columns are: {", ".join(columns)}')
        earlier = next((c for c in mapped if c["column"] == column), None)
        if earlier:
            fail(f"{column} is mapped twice (lines {earlier['line']} and {line}); keep one")
        head, *steps = _split_steps(content[colon + 1 :])
        source = trim(head)
        if not source:
            fail(f'{column} has no source header (or = "constant")')
        transforms = [_transform(trim(s), fail) for s in steps]
        if source.startswith("="):
            constant = _quoted(trim(source[1:]))
            if constant is None:
                fail(f'the constant for {column} must be in double quotes: = "value"')
            mapped.append({"column": column, "constant": constant, "transforms": transforms, "line": line})
        else:
            unquoted = _quoted(source)
            mapped.append({"column": column, "source": source if unquoted is None else unquoted,
                           "transforms": transforms, "line": line})
    return {"file": file, "columns": mapped}


def _strip_comment(line):
    in_quotes = False
    for i, c in enumerate(line):
        if c == '"':
            in_quotes = not in_quotes
        elif c == "#" and not in_quotes:
            return line[:i]
    return line


def _split_steps(spec):
    out = [""]
    in_quotes = False
    for c in spec:
        if c == '"':
            in_quotes = not in_quotes
        if c == "|" and not in_quotes:
            out.append("")
        else:
            out[-1] += c
    return out


def _quoted(text):
    m = re.fullmatch(r'"((?:[^"]|"")*)"', text)
    return m.group(1).replace('""', '"') if m else None


def _transform(step, fail):
    m = re.fullmatch(r'([a-z][a-z ]*?)[ \t]*("(?:[^"]|"")*")?', step)
    name = m.group(1) if m else step
    arg = None if not m or m.group(2) is None else _quoted(m.group(2))

    def no_arg(t):
        if arg is not None:
            fail(f"the transform {name} takes no argument")
        return t

    if name == "year from date":
        if arg is None:
            fail('year from date needs its format, e.g. year from date "MMM d yyyy"')
        problem = _date_format_problem(arg)
        if problem:
            fail(problem)
        return {"kind": "year-from-date", "format": arg}
    if name == "number":
        if arg not in (",", "."):
            fail('number needs its thousands separator: number "," (1,234.5) or number "." (1.234,5)')
        return {"kind": "number", "thousands": arg}
    if name == "list":
        if not arg:
            fail('list needs its separator, e.g. list "/"')
        return {"kind": "list", "separator": arg}
    if name in ("minutes", "money", "trim", "lower", "upper", "title"):
        return no_arg({"kind": name})
    fail(f'"{step}" is not a transform; the transforms are: {", ".join(TRANSFORM_NAMES)}')


def _token_at(format, i):
    return next((t for t in DATE_TOKENS if format.startswith(t, i)), None)


def _date_format_problem(format):
    year = False
    i = 0
    while i < len(format):
        token = _token_at(format, i)
        if token:
            year = year or token.startswith("y")
            i += len(token)
        elif re.fullmatch(r"[A-Za-z]", format[i]):
            return f'the date format "{format}" has "{format[i]}", which is none of yyyy, yy, MMMM, MMM, MM, M, dd, d'
        else:
            i += 1
    return None if year else f'the date format "{format}" has no year (yyyy or yy)'


def _closest(name, columns):
    """As closest in mapping.ts: a near spelling, or else the first column whose words include the name's."""
    lower = name.lower()
    best = None
    for c in columns:
        d = _distance(lower, c)
        if best is None or d < best[1]:
            best = (c, d)
    if best and best[1] <= max(2, len(best[0]) // 3):
        return f" (did you mean {best[0]}?)"
    words = [w for w in re.split(r"[ \t_-]+", lower) if w]
    containing = next((c for c in columns if words and all(w in c.split("_") for w in words)), None)
    return f" (did you mean {containing}?)" if containing else ""


def _distance(a, b):
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        prev = row[0]
        row[0] = i
        for j in range(1, len(b) + 1):
            here = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (0 if a[i - 1] == b[j - 1] else 1))
            prev = here
    return row[len(b)]


MINUTES = re.compile(r"[ \t]*(?:([0-9]+)[ \t]*h(?:ours?|rs?)?[ \t]*)?(?:([0-9]+)[ \t]*(?:m|min|mins|minutes?)?)?[ \t]*", re.I)
HOURS_MINUTES = re.compile(r"[ \t]*([0-9]+):([0-5][0-9])[ \t]*")


def apply_transform(t, text):
    """One transform on a cell's text; a cell it cannot read comes back as it was."""
    kind = t["kind"]
    if kind == "year-from-date":
        year = _year_from_date(t["format"], text)
        return text if year is None else year
    if kind == "minutes":
        hm = HOURS_MINUTES.fullmatch(text)
        if hm:
            return str(int(hm.group(1)) * 60 + int(hm.group(2)))
        m = MINUTES.fullmatch(text)
        if m and (m.group(1) is not None or m.group(2) is not None):
            return str(int(m.group(1) or 0) * 60 + int(m.group(2) or 0))
        return text
    if kind == "money":
        bare = re.sub(r"[ \t$€£,]", "", text)
        return re.sub(r"\.[0-9]+$", "", bare) if re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", bare) else text
    if kind == "number":
        decimal = "." if t["thousands"] == "," else ","
        bare = trim(text).replace(t["thousands"], "").replace(decimal, ".", 1)
        return bare if re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)", bare) else text
    if kind == "list":
        return ", ".join(x for x in (trim(p) for p in text.split(t["separator"])) if x)
    if kind == "trim":
        return trim(text)
    if kind == "lower":
        return text.lower()
    if kind == "upper":
        return text.upper()
    if kind == "title":
        return re.sub(r"(^|[^A-Za-z'])([a-z])", lambda m: m.group(1) + m.group(2).upper(), text.lower())
    raise ValueError(f"unknown transform {kind}")


def _year_from_date(format, text):
    pattern = ""
    tokens = []
    i = 0
    while i < len(format):
        token = _token_at(format, i)
        if token:
            pattern += DATE_PARTS[token]
            tokens.append(token)
            i += len(token)
        else:
            pattern += "[ \t]+" if format[i] == " " else re.escape(format[i])
            i += 1
    m = re.fullmatch(rf"[ \t]*{pattern}[ \t]*", text)
    if not m:
        return None
    year = ""
    for token, value in zip(tokens, m.groups()):
        if token == "MMM" and value.lower() not in MONTHS:
            return None
        if token == "MMMM" and value.lower() not in FULL_MONTHS:
            return None
        if token.startswith("y"):
            year = value
    if len(year) == 4:
        return year
    yy = int(year)
    return str(1900 + yy if yy >= 69 else 2000 + yy)


MAPPING_FILE = "movies.mapping"


def mapping_keys(key, top="input_data/"):
    """The keys a drop's mapping may have, nearest first: movies.mapping in the drop's folder, then
    in each folder above it up to `top` (as mappingCandidates in contract/mapping-location.ts)."""
    stop = top.rstrip("/")
    folder = key.rsplit("/", 1)[0] if "/" in key else ""
    if not (stop == "" or folder == stop or folder.startswith(stop + "/")):
        return [f"{folder}/{MAPPING_FILE}" if folder else MAPPING_FILE]
    keys = []
    while True:
        keys.append(f"{folder}/{MAPPING_FILE}" if folder else MAPPING_FILE)
        if folder in (stop, ""):
            return keys
        folder = folder.rsplit("/", 1)[0] if "/" in folder else ""


# The S3 user metadata an uploader sets on a drop (MAPPING_METADATA in mapping-location.ts).
MAPPING_METADATA = {"key": "mapping", "etag": "mapping-etag"}
NO_MAPPING = "none"


def mapping_source(key, top, metadata):
    """Which mapping a run applies to the drop at `key`, as mappingSource in mapping-location.ts:
    {"kind": "none"}, {"kind": "pinned", "key", "etag"} or {"kind": "nearest", "keys"}. Raises
    ValueError with one sentence when the metadata names a mapping that cannot be this drop's."""
    named = metadata.get(MAPPING_METADATA["key"])
    keys = mapping_keys(key, top)
    if named is None:
        return {"kind": "nearest", "keys": keys}
    if named == NO_MAPPING:
        return {"kind": "none"}
    etag = metadata.get(MAPPING_METADATA["etag"], "").replace('"', "")
    if named not in keys or not etag:
        raise ValueError(
            f"{key} names the mapping {json.dumps(named, ensure_ascii=False)} in its metadata, which is not a"
            f" {MAPPING_FILE} in its folder or one above it, with its ETag; upload the drop again with movies drop or the Action."
        )
    return {"kind": "pinned", "key": named, "etag": etag}


def mapping_gone(key, mapping):
    return (f"{key} was checked with the mapping {mapping}, which has changed or is gone since; upload the drop"
            " again (with its mapping) to load it.")


MAX_MAPPING_BYTES = 64 * 1024


def find_mapping(key, top, metadata, get, columns):
    """The mapping a run reads the drop at `key` through, parsed, or None (as readMapping in
    local-aws/etl.ts). `get(key, etag or None)` returns the object's bytes, or None when it is
    missing or no longer has that ETag. Raises ValueError or MappingError with one sentence."""
    where = mapping_source(key, top, metadata)
    if where["kind"] == "none":
        return None
    pinned = where["kind"] == "pinned"
    for candidate in [where["key"]] if pinned else where["keys"]:
        body = get(candidate, where["etag"] if pinned else None)
        if body is None:
            if pinned:
                raise ValueError(mapping_gone(key, candidate))
            continue
        if len(body) > MAX_MAPPING_BYTES:
            raise ValueError(f"{candidate}: a mapping may be at most {MAX_MAPPING_BYTES // 1024} KB.")
        return parse_mapping(body.decode("utf-8", "replace"), candidate, columns)
    return None
