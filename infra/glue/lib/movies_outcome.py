"""The run's results JSON (results/<execution>.json), built as the local twin builds it
(contract/etl-results.ts and the twin's ETL step): the shape the state machine reads
and the outcome (contract/outcome.ts) carries on to SNS, the Action and the bot.
"""

import math
import re
from urllib.parse import quote

# S3 user metadata the Action sets on each upload → the outcome's source fields (SOURCE_METADATA).
SOURCE_METADATA = {"commit": "commit", "repository": "repository", "ref": "ref", "pull-request": "pullRequest", "actor": "actor"}
GLUE_RESULTS = {"Passed": "PASS", "Failed": "FAIL"}


def source(bucket, key, etag, size, metadata):
    """The outcome's source: the object, and the metadata the Action set on it."""
    out = {"bucket": bucket, "key": key, "etag": etag.replace('"', ""), "size": size}
    for name, field in SOURCE_METADATA.items():
        if name in metadata:
            out[field] = metadata[name]
    return out


def rule_results(outcomes, gates):
    """Glue's rule outcomes (dicts with Rule, Outcome, FailureReason, EvaluatedMetrics; in ruleset
    order) as the outcome's rules, and the texts of the batch gates (both Glue's spelling and
    ours, since row-level outcomes name rules as Glue writes them)."""
    if len(outcomes) != len(gates):
        raise RuntimeError(f"Glue reported {len(outcomes)} rule outcomes for a ruleset of {len(gates)} rules")
    rules, gate_texts = [], set()
    for i, (r, g) in enumerate(zip(outcomes, gates)):
        # Matched by position; a rule in another place would make a gate of a row check.
        if _signature(r["Rule"]) != _signature(g["rule"]):
            raise RuntimeError(
                f"Glue reported rule {i + 1} as {r['Rule']!r}, but rule {i + 1} of the ruleset is {g['rule']!r}: "
                "its outcomes cannot be matched to the batch gates, so nothing was loaded"
            )
        entry = {"name": f"Rule_{i + 1}", "rule": g["rule"], "result": GLUE_RESULTS.get(r["Outcome"], "ERROR"),
                 "gate": g["gate"]}
        if r.get("FailureReason") and entry["result"] != "PASS":
            entry["message"] = r["FailureReason"]
        # A metric JSON cannot write (NaN, of a rule over no rows) is null, as JSON.stringify writes it.
        entry["metrics"] = {k: _finite(v) for k, v in (r.get("EvaluatedMetrics") or {}).items()}
        rules.append(entry)
        if g["gate"]:
            gate_texts.update({r["Rule"], g["rule"]})
    return rules, gate_texts


def _finite(value):
    value = float(value)
    return value if math.isfinite(value) else None


def _signature(text):
    """What reformatting a rule cannot change: its type, the columns it names (before any where
    clause) and whether it states a threshold."""
    rule = " ".join(text.split())
    head = rule.split(" where ", 1)[0]
    return head.split(" ", 1)[0], tuple(re.findall(r'"[^"]*"', head)), "with threshold" in rule


def quality(rules, decision, rows_processed, rows_failed, reasons):
    """The outcome's quality: score, rows (passed and failed as the row checks routed them),
    rules, failed gates and the top reasons."""
    return {
        "score": sum(r["result"] == "PASS" for r in rules) / len(rules) if rules else 1,
        "rowsProcessed": rows_processed,
        "rowsPassed": rows_processed - rows_failed,
        "rowsFailed": rows_failed,
        "rules": rules,
        "gatesFailed": decision["gatesFailed"],
        "reasons": reasons[:10],
    }


def too_large(key, size, max_bytes):
    """Why a file over the contract's maxDropBytes is refused (tooLargeToDrop in etl-results.ts)."""
    return (f"{key}: the file is {size} bytes; a drop can be at most {max_bytes} bytes (5 GiB, the largest object "
            "S3 copies in one request), so nothing was loaded: split it into smaller files.")


def copy_source(bucket, key):
    """bucket/key URL-encoded as RFC 3986, slashes kept (copySourceOf): S3 decodes CopySource,
    and no Step Functions intrinsic can encode."""
    return quote(f"{bucket}/{key}", safe="/")


def results(decision, source_, quality_, table, quarantine_uri):
    """The results JSON the state machine reads."""
    status = decision["verdict"]
    rows_loaded = 0 if status == "QUALITY_FAILED" else decision["rowsToLoad"]
    quarantined = quality_["rowsProcessed"] if status == "QUALITY_FAILED" else quality_["rowsFailed"]
    return {
        "status": status,
        "source": source_,
        "quality": quality_,
        "load": {"table": table, "rowsLoaded": rows_loaded},
        "quarantine": {"uri": quarantine_uri, "rows": quarantined} if quarantine_uri else None,
        "copySource": copy_source(source_["bucket"], source_["key"]),
    }
