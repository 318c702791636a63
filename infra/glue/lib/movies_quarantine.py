"""The quarantine object, written as the local twin writes it (contract/check.ts,
csv-writer.ts): one CSV at bad_data/<execution>/rows/bad.csv with the row's line, its raw
fields under the file's own header (spreadsheet-safe), and its outcome columns. The bot's
"Show failed rows" and the alert's sample rows read that one object on either engine.
"""

import json
import re

from movies_contract import JS_SPACE, js_trim

OUTCOME_COLUMNS = [
    "ContractViolations",
    "DataQualityRulesPass",
    "DataQualityRulesFail",
    "DataQualityRulesSkip",
    "DataQualityEvaluationResult",
]
_S = re.escape(JS_SPACE)
_NEEDS_QUOTES = re.compile(rf'[",\r\n]|^[{_S}]|[{_S}]$')
# What a spreadsheet may read as a formula (csv-writer.ts): =, +, - or @, in full width too, also
# after leading spaces an import may trim; and a leading tab or line break, which can hide one.
_FORMULA = re.compile(rf"^(?:[\t\r\n]|[{_S}]*[=+\-@\uff1d\uff0b\uff0d\uff20])")
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)", re.ASCII)
# S3 multipart: every part but the last at least 5 MiB, at most 5 GiB, at most 10,000 parts.
# Parts start at 8 MiB and double every 1,000, so an upload never runs out of parts (10,000
# parts hold 8 TiB) and memory holds one part at a time.
PART_BYTES = 8 << 20
PARTS_PER_SIZE = 1000


def rows_key(prefix, execution):
    """Where the failed rows of a partly loaded drop go."""
    return f"{prefix}{execution}/rows/bad.csv"


def file_key(prefix, execution, key):
    """Where a drop rejected whole goes: under its own file name."""
    return f"{prefix}{execution}/{key.split('/')[-1]}"


def csv_cell(value):
    if value is None:
        return ""
    s = str(value)
    return '"' + s.replace('"', '""') + '"' if _NEEDS_QUOTES.search(s) else s


def spreadsheet_safe(value):
    """A cell a spreadsheet would run as a formula gets a leading apostrophe; -40 stays -40."""
    return "'" + value if _FORMULA.match(value) and not _PLAIN_NUMBER.fullmatch(js_trim(value)) else value


def csv_line(cells):
    return ",".join(csv_cell(c) for c in cells) + "\n"


def header_line(header):
    """The header: the file's own (spreadsheet-safe, as a header cell can hold a formula too)."""
    return csv_line(["source_line", *(spreadsheet_safe(h) for h in header), *OUTCOME_COLUMNS])


def _json(items):
    return json.dumps(list(items), ensure_ascii=False, separators=(",", ":"))


def bad_line(width, line, fields, violations, passed, failed, skipped):
    """One quarantined row: its raw fields under a header `width` wide (fields beyond the header
    joined into the last column, so nothing is lost), then its outcome."""
    cells = [spreadsheet_safe(fields[i] if i < len(fields) else "") for i in range(width)]
    if len(fields) > width:
        cells[-1] += "," + ",".join(fields[width:])
    return csv_line([line, *cells, _json(violations), _json(passed), _json(failed), _json(skipped), "Failed"])


class Parts:
    """Lines gathered into multipart-upload parts (PART_BYTES, doubling every PARTS_PER_SIZE),
    in memory one part at a time."""

    def __init__(self, upload_part, part_bytes=PART_BYTES):
        self.upload_part, self.part_bytes = upload_part, part_bytes
        self.buffer, self.size, self.count = [], 0, 0

    def write(self, text):
        data = text.encode("utf-8")
        self.buffer.append(data)
        self.size += len(data)
        if self.size >= self.part_bytes << (self.count // PARTS_PER_SIZE):
            self._flush()

    def close(self):
        if self.buffer or self.count == 0:
            self._flush()
        return self.count

    def _flush(self):
        self.count += 1
        self.upload_part(self.count, b"".join(self.buffer))
        self.buffer, self.size = [], 0
