"""The Python side of `npm run parity` (scripts/parity/compare.ts): reads drops as the Glue job's
executors do (movies_drop), each file in several split sizes, and writes what it found.

stdin, one JSON request:
    {"contract": contractJson(),
     "files": [{"path": "...", or "data": "<base64>",
                "mapping": {"file": "movies.mapping", "text": "..."},   # optional
                "splits": [7, 64, 0, ...],          # split sizes in bytes; 0 is the whole file
                "gates": ["RowCount > 0", ...],   # the rules that are batch gates
                "failed": [[line, ["rule", ...]], ...]}]}      # rules each row failed (TypeScript's)
stdout, JSON lines, in request order:
    {"f": file index, "s": split, "r": [line, values, problems described, fields, quarantined]}
    {"f": ..., "s": ..., "layout": {"absent": [...], "extra": [...], "derivedId": bool}}  # after the rows
    {"f": ..., "s": ..., "end": rows}                        # after the last row
    {"f": ..., "s": ..., "error": [line or null, reason]}   # a file that is not a drop
    {"f": ..., "s": ..., "crash": "traceback"}              # an exception that is neither
"""

import base64
import json
import math
import sys
import traceback

from movies_contract import DropFileError, describe, quarantined
from movies_drop import read_drop
from movies_mapping import MappingError, parse_mapping


def _plain(value):
    """A value JSON can carry: a float that is not finite (no contract value should be) as text."""
    return repr(value) if isinstance(value, float) and not math.isfinite(value) else value


def _read(contract, data, split, failed, gates, mapping, emit):
    rows = 0
    known = {c["name"] for c in contract["inputColumns"]}
    read_range = lambda a, b: data[a:b]  # noqa: E731
    try:
        if mapping is not None:
            mapping = parse_mapping(mapping["text"], mapping["file"], [c["name"] for c in contract["inputColumns"]])
        reading = read_drop(contract, "drop", read_range, len(data), split or len(data) + 1, mapping=mapping)
        while True:
            try:
                line, values, problems, fields = next(reading)
            except StopIteration as done:
                layout = done.value.layout
                break
            emit({"r": [line, [_plain(v) for v in values], [describe(p) for p in problems], fields,
                        quarantined(problems, failed.get(line, []), gates)]})
            rows += 1
        extra = [name for name, _ in sorted(layout.fields.items(), key=lambda f: f[1]) if name not in known]
        emit({"layout": {"absent": layout.absent, "extra": extra, "derivedId": layout.derived_id}})
    except (DropFileError, MappingError) as err:
        emit({"error": [err.line, err.reason]})
        return
    except Exception:  # noqa: BLE001 - reported to the comparison, which fails on it
        emit({"crash": traceback.format_exc()})
        return
    emit({"end": rows})


def main():
    request = json.load(sys.stdin)
    out = sys.stdout
    for i, entry in enumerate(request["files"]):
        if "data" in entry:
            data = base64.b64decode(entry["data"])
        else:
            with open(entry["path"], "rb") as f:
                data = f.read()
        failed = {line: rules for line, rules in entry.get("failed", [])}
        gates = set(entry.get("gates", []))
        for split in entry["splits"]:
            def emit(message, i=i, split=split):
                out.write(json.dumps({"f": i, "s": split, **message}, allow_nan=False))
                out.write("\n")

            _read(request["contract"], data, split, failed, gates, entry.get("mapping"), emit)
    out.flush()


if __name__ == "__main__":
    main()
