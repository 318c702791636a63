"""The data contract, in plain Python: what the Glue job's executors do to every row.

It mirrors contract (contract.ts, coerce.ts, movie-reader.ts, policy.ts) rule for rule;
the contract itself (columns, aliases, coercions, SQL types) arrives as JSON emitted from the
TypeScript source, and `npm run parity` runs both engines over the same files and compares
them row by row. No Spark, no Glue, no AWS import: `python3` runs it in the tests.

Where JavaScript and Python differ by default, this follows JavaScript: whitespace is what
String.prototype.trim and the regex `\\s` strip, and values are clipped by code point.
"""

import json
import re
import unicodedata

from movies_mapping import apply_transform

# JavaScript's whitespace (trim and \s): WhiteSpace and LineTerminator in ECMA-262.
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_S = re.escape(JS_SPACE)


def js_trim(text):
    return text.strip(JS_SPACE)


INVALID = object()
WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
GROUPED = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+", re.ASCII)
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)", re.ASCII)
MINUTES = re.compile(rf"([0-9]+)[{_S}]*(m|min|mins|minutes?)?\.?", re.I | re.ASCII)
HOURS_MINUTES = re.compile(
    rf"([0-9]+)[{_S}]*h(?:ours?|rs?)?[{_S}]*(?:([0-9]+)[{_S}]*(?:m|min|mins|minutes?)?)?", re.I | re.ASCII
)
DOLLAR = re.compile(rf"^\$[{_S}]*")
CENTS = re.compile(r"\.[0-9]{1,2}$", re.ASCII)
YEAR = re.compile(r"[0-9]{4}", re.ASCII)
SAFE = 2**53 - 1


def _safe(n):
    return n if n is not INVALID and abs(n) <= SAFE else INVALID


def _int(digits):
    """Signed ASCII digits as an int, or INVALID past 16 significant digits (never a safe
    integer; and int() refuses strings of more than 4,300 digits)."""
    sign, significant = digits[: len(digits) - len(digits.lstrip("+-"))], digits.lstrip("+-").lstrip("0")
    return INVALID if len(significant) > 16 else int(sign + (significant or "0"))


def _whole_number(t):
    if len(t) < 16 and t.isdigit() and t.isascii():
        return int(t)  # plain digits, nearly every cell: always a safe integer
    if WHOLE.fullmatch(t) or GROUPED.fullmatch(t):
        return _safe(_int(t.replace(",", "")))
    return INVALID


def _minutes(t):
    m = MINUTES.fullmatch(t)
    if m:
        return _safe(_int(m.group(1)))
    hm = HOURS_MINUTES.fullmatch(t)
    if not hm:
        return INVALID
    hours, minutes = _int(hm.group(1)), _int(hm.group(2) or "0")
    return INVALID if INVALID in (hours, minutes) else _safe(hours * 60 + minutes)


def _genres(t):
    parts = [g for g in (js_trim(p) for p in t.split(",")) if g]
    return ", ".join(parts) if parts else None


def _decimal(t):
    return float(t) if DECIMAL.fullmatch(t) else INVALID


def _text(t):
    return t


def _year(t):
    return int(t) if YEAR.fullmatch(t) else INVALID


def _money(t):
    return _whole_number(CENTS.sub("", DOLLAR.sub("", t), count=1))


# Module-level functions, not lambdas: a layout that holds them pickles to the executors.
COERCIONS = {
    "text": _text,
    "genres": _genres,
    "year": _year,
    "integer": _whole_number,
    "decimal": _decimal,
    "minutes": _minutes,
    "money": _money,
}
EXPECTED = {
    "text": "text",
    "genres": "a comma-separated list of genres",
    "year": "a four-digit year",
    "integer": "a whole number",
    "decimal": "a number",
    "minutes": 'a duration like "142 min"',
    "money": 'a dollar amount like "28,341,469"',
}


def coerce(kind, text):
    """One cell: the value, None for a blank cell, or INVALID."""
    t = js_trim(text)
    return None if t == "" else COERCIONS[kind](t)


# --- SQL types: what Redshift will hold (VARCHAR sizes are bytes) ---

_INTEGERS = {"SMALLINT": 2**15, "INTEGER": 2**31, "BIGINT": 2**63}


def varchar_bytes(sql_type):
    m = re.fullmatch(r"VARCHAR\(([0-9]+)\)", sql_type)
    return int(m.group(1)) if m else None


class _Range:
    """Whether a number fits a numeric SQL type: low <= v < high, or |v| < high for a DECIMAL."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def __call__(self, v):
        return self.low <= v < self.high if self.low is not None else abs(v) < self.high


def range_check(sql_type):
    """For a numeric SQL type, a test that a number fits it (a DECIMAL(p,s) value once rounded
    to s places); None for other types."""
    if sql_type in _INTEGERS:
        return _Range(-_INTEGERS[sql_type], _INTEGERS[sql_type])
    m = re.fullmatch(r"DECIMAL\(([0-9]+),([0-9]+)\)", sql_type)
    if m:
        p, s = int(m.group(1)), int(m.group(2))
        return _Range(None, 10 ** (p - s) - 0.5 * 10**-s)
    return None


# --- headers ---

def normalize_header(h):
    """As normalizeHeader in contract.ts: "Released Year", "released-year", "releasedYear" → released_year."""
    h = js_trim(h[1:] if h.startswith("\ufeff") else h)
    h = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", h).lower()
    h = re.sub(rf"[{_S}\-./]+", "_", h)
    h = "".join(c for c in h if c == "_" or _letter_or_number(c))
    return re.sub(r"_+", "_", h).strip("_")


def _letter_or_number(c):
    return unicodedata.category(c)[0] in "LN"


def derive_movie_id(title, year):
    """As deriveMovieId in coerce.ts: the title as a lowercase slug (accents dropped, any run of
    other characters one dash) plus the year."""
    if title.isascii():
        # Nearly every title: one pass of C.
        slug = _NOT_ASCII_ALNUM.sub("-", title.lower()).strip("-")
    else:
        marks_dropped = (c for c in unicodedata.normalize("NFKD", title) if unicodedata.category(c)[0] != "M")
        source = "".join(marks_dropped).lower()
        slug = re.sub(r"-+", "-", "".join(c if _letter_or_number(c) else "-" for c in source)).strip("-")
    return f"{slug or 'untitled'}-{year}"


_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9]+")


class DropFileError(Exception):
    """The file cannot be a drop at all: one sentence with the file and line."""

    def __init__(self, name, line, reason):
        super().__init__(f"{name}:{line}: {reason}" if line is not None else f"{name}: {reason}")
        self.name, self.line, self.reason = name, line, reason


class Layout:
    """The header resolved against the contract (and the source's mapping)."""

    def __init__(self, contract, header, fields, constants=None, transforms=None, mapping=None):
        self.header, self.fields = header, fields
        self.mapping = mapping
        constants, transforms = constants or {}, transforms or {}
        columns = contract["inputColumns"]
        self.columns = [
            (c["name"], COERCIONS[c["coercion"]], fields.get(c["name"], -1), varchar_bytes(c["sqlType"]),
             range_check(c["sqlType"]), c["coercion"], constants.get(c["name"]), transforms.get(c["name"], ()))
            for c in columns
        ]
        self.sql_types = {c["name"]: c["sqlType"] for c in columns}
        given = set(fields) | set(constants)
        self.absent = [c["name"] for c in columns if c["name"] not in given and c["name"] != "movie_id"]
        # The contract columns the file carries (movie_id always: derived when absent); what a load updates.
        self.carried = [c["name"] for c in columns if c["name"] not in self.absent]
        self.derived_id = "movie_id" not in given
        names = [c["name"] for c in columns]
        self.title, self.year, self.genres = names.index("title"), names.index("release_year"), names.index("genres")
        self.movie_id = names.index("movie_id")
        self.movie_id_bytes = varchar_bytes(columns[self.movie_id]["sqlType"])
        derived = {c["name"]: c["sqlType"] for c in contract["derivedColumns"]}
        self.primary_genre_bytes = varchar_bytes(derived["primary_genre"])


def resolve_header(contract, name, header, mapping=None):
    """The layout of a header read through `mapping` (movies_mapping.parse_mapping, or None), or
    DropFileError saying why it cannot be a drop. As resolveHeader in movie-reader.ts."""
    if len(header) == 1:
        for sep, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if sep in header[0]:
                raise DropFileError(name, 1, f"the header is separated by {label}; drops must be comma-separated")
    by_alias = {a: c["name"] for c in contract["inputColumns"] for a in [c["name"], *c["aliases"]]}
    fields, constants, transforms, mapped_from = {}, {}, {}, {}
    mapped = {m["column"]: m for m in mapping["columns"]} if mapping else {}
    for m in mapped.values():
        if m["transforms"]:
            transforms[m["column"]] = tuple(m["transforms"])
        if "constant" in m:
            constants[m["column"]] = m["constant"]
            continue
        wanted = normalize_header(m["source"])
        at = next((i for i, h in enumerate(header) if normalize_header(h) == wanted), -1)
        if at < 0:
            headers = ", ".join(json.dumps(clip(h), ensure_ascii=False) for h in header)
            raise DropFileError(
                name, 1, f'{m["column"]} is mapped from "{m["source"]}" ({mapping["file"]}:{m["line"]}), which the'
                f" header does not have; the headers are: {headers}"
            )
        fields[m["column"]] = at
        mapped_from[at] = m["column"]
    unknown = []
    for i, raw in enumerate(header):
        if i in mapped_from:
            continue
        normalized = normalize_header(raw)
        column = by_alias.get(normalized, normalized)
        if column == "":
            continue
        if column in mapped:
            raise DropFileError(
                name, 1, f'column {i + 1} ("{raw}") names {column}, which {mapping["file"]}:{mapped[column]["line"]}'
                " maps from elsewhere; drop that mapping line or rename the column"
            )
        if column in fields:
            seen = fields[column]
            raise DropFileError(
                name, 1, f'columns {seen + 1} ("{header[seen]}") and {i + 1} ("{raw}") both name "{column}"'
            )
        fields[column] = i
        if normalized not in by_alias:
            unknown.append(raw)
    missing = [c for c in contract["inputColumns"] if c["required"] and c["name"] not in fields and c["name"] not in constants]
    if missing:
        listed = "; ".join(f"{c['name']} (also accepted: {', '.join(c['aliases'])})" for c in missing)
        hints = "".join(_mapping_hint(c, unknown) for c in missing)
        raise DropFileError(
            name, 1, f"missing required column{'s' if len(missing) > 1 else ''}: {listed}{_unrecognised(unknown)}{hints}"
        )
    return Layout(contract, header, fields, constants, transforms, mapping["file"] if mapping else None)


def _unrecognised(unknown):
    """As unrecognised in movie-reader.ts."""
    if not unknown:
        return ""
    shown = [json.dumps(clip(h), ensure_ascii=False) for h in unknown[:10]]
    more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
    return f". Headers not recognised: {', '.join(shown)}{more}"


def _mapping_hint(c, unknown):
    """As mappingHint in movie-reader.ts: the unrecognised header sharing most words with the column."""
    words = {w for n in [c["name"], *c["aliases"]] for w in n.split("_")}
    best, best_score = None, 0
    for h in unknown:
        score = len({w for w in normalize_header(h).split("_") if w in words})
        if score > best_score:
            best, best_score = h, score
    if best is None:
        return ""
    source = clip(best)
    date = c["coercion"] == "year" and "date" in normalize_header(best).split("_")
    if date:
        todo = (f"it names a date, so map its year in a movies.mapping beside the file ({c['name']}: {source} |"
                ' year from date "MMM d yyyy", with the dates\' format)')
    else:
        todo = f"rename it {c['name']}, or map it in a movies.mapping beside the file ({c['name']}: {source})"
    return f". {c['name']} may be {json.dumps(source, ensure_ascii=False)}: {todo}; movies map <file> proposes a mapping"


# --- one row ---

def clip(text):
    t = js_trim(text)
    return t[:37] + "..." if len(t) > 40 else t


def describe(problem):
    """A problem as the quarantine's ContractViolations column shows it (describeProblem)."""
    reason, value = problem
    return reason if value is None else f"{reason} ({json.dumps(clip(value), ensure_ascii=False)})"


def canonical(layout, fields, defect):
    """A record's canonical values (in contract order, then primary_genre) and its contract
    problems as (reason, offending text or None), like readDrop's rows."""
    problems = []
    if defect:
        problems.append((defect, None))
    if len(fields) != len(layout.header):
        problems.append((f"expected {len(layout.header)} fields, found {len(fields)}", None))
    values = []
    width = len(fields)
    for column, convert, index, max_bytes, fits, kind, constant, transforms in layout.columns:
        if constant is not None:
            text = constant
        elif index < 0 or index >= width:
            values.append(None)
            continue
        else:
            text = fields[index]
        mapped = text
        for t in transforms:
            mapped = apply_transform(t, mapped)
        t = mapped.strip(JS_SPACE)
        v = None if t == "" else convert(t)
        # A value its column cannot hold is a problem of the row (quarantined, never loaded), but
        # still the value for the rules: a 600-byte title is not a missing one.
        if v is None:
            pass
        elif v.__class__ is str:
            if _too_long(v, max_bytes):
                problems.append((f"{column} is longer than {max_bytes} bytes", v))
        elif v is INVALID:
            problems.append((f"{column} is not {EXPECTED[kind]}", text))
            v = None
        elif fits is not None and not fits(v):
            problems.append((f"{column} is out of range for {layout.sql_types[column]}", text))
        values.append(v)
    # The derived columns, checked against their own columns on every row.
    if values[layout.movie_id] is None:
        title, year = values[layout.title], values[layout.year]
        movie_id = derive_movie_id(title, year) if isinstance(title, str) and isinstance(year, int) else None
        if movie_id is not None and _too_long(movie_id, layout.movie_id_bytes):
            problems.append((f"movie_id (derived from title and year) is longer than {layout.movie_id_bytes} bytes", movie_id))
        values[layout.movie_id] = movie_id
    genres = values[layout.genres]
    primary = genres.split(", ", 1)[0] if isinstance(genres, str) else None
    if primary is not None and len(primary.encode("utf-8")) > layout.primary_genre_bytes:
        problems.append((f"the first genre is longer than {layout.primary_genre_bytes} bytes", primary))
    values.append(primary)
    return values, problems


def _too_long(text, max_bytes):
    """Longer than its VARCHAR in UTF-8 bytes (a character is at most 4: encode only when it could be)."""
    return max_bytes is not None and len(text) * 4 > max_bytes and len(text.encode("utf-8")) > max_bytes


# --- the quality policy (policy.ts) ---

def quarantined(problems, rules_failed, gates):
    """A row is quarantined when it breaks the contract or fails a rule that is not a batch gate:
    a gate's row-level outcome never routes it (a passing gate quarantines nothing), and a rule
    that cannot be placed routes it (never load on doubt)."""
    return bool(problems) or any(rule not in gates for rule in rules_failed or ())


def decide_batch(rules, rows_to_load, rows_to_quarantine):
    """rules: [{name, result, gate}]. A failing gate, or no row to load, rejects the file whole."""
    gates_failed = [r["name"] for r in rules if r["gate"] and r["result"] != "PASS"]
    if gates_failed or rows_to_load == 0:
        return {"verdict": "QUALITY_FAILED", "gatesFailed": gates_failed, "rowsToLoad": 0,
                "rowsToQuarantine": rows_to_load + rows_to_quarantine}
    return {"verdict": "PARTIAL" if rows_to_quarantine else "SUCCEEDED", "gatesFailed": gates_failed,
            "rowsToLoad": rows_to_load, "rowsToQuarantine": rows_to_quarantine}
