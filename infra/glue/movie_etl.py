"""movies-gds ETL job (AWS Glue 5, PySpark).

One drop: read it through the data contract, evaluate the Data Quality ruleset with row-level
outcomes, and then either quarantine the whole file (a batch gate failed) or quarantine the
failed rows and load the rest into Redshift through a staging table and one MERGE. Writes the
run's results JSON for the state machine.

The contract, the ruleset and which rules gate the batch arrive as job arguments emitted at
synth from the TypeScript sources (infra/pipeline), Base64-encoded, so this script and the
local engine apply the same rules. The coercions below mirror infra/pipeline/coerce.ts; a test
keeps the contract's coercion names in step.
"""

import base64
import csv
import io
import json
import re
import sys
import unicodedata
from urllib.parse import quote

import boto3
from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.transforms import SelectFromCollection
from awsglue.utils import getResolvedOptions
from awsgluedq.transforms import EvaluateDataQuality
from pyspark.context import SparkContext
from pyspark.sql import functions as F
from pyspark.sql import types as T

import movies_load  # infra/glue/lib: the load's SQL

ARGS = getResolvedOptions(
    sys.argv,
    [
        "JOB_NAME",
        "bucket",
        "key",
        "etag",
        "execution",
        "results_key",
        "contract",
        "ruleset",
        "gates",
        "redshift_connection",
        "redshift_database",
        "redshift_role",
        "TempDir",
    ],
)


# --- job arguments (encoded by infra/pipeline/glue-arguments.ts) ---

def decode_argument(text):
    """Base64 of UTF-8: JSON quotes and the ruleset's newlines survive Glue's command line."""
    return base64.b64decode(text, validate=True).decode("utf-8")


CONTRACT = json.loads(decode_argument(ARGS["contract"]))
RULESET = decode_argument(ARGS["ruleset"])
GATES = {re.sub(r"\s+", " ", g["rule"]).strip(): g["gate"] for g in json.loads(decode_argument(ARGS["gates"]))}


def row_checks_failed(rules_failed):
    """Of a row's DataQualityRulesFail, the rules that quarantine it: a batch gate's per-row
    outcome never does (infra/pipeline/policy.ts). A rule the gates do not name does: never
    load on doubt."""
    return [r for r in rules_failed or [] if GATES.get(re.sub(r"\s+", " ", r).strip()) is not True]
# --- end of job arguments ---

METADATA_KEYS = {"commit": "commit", "repository": "repository", "ref": "ref", "pull-request": "pullRequest", "actor": "actor"}
LFS_POINTER = b"version https://git-lfs.github.com/spec/"
s3 = boto3.client("s3")


class DropFileError(Exception):
    """The file cannot be read as a drop at all; the job fails with this one sentence."""


# --- the contract's coercions (infra/pipeline/coerce.ts) ---

INVALID = object()
WHOLE = re.compile(r"^[+-]?\d+$", re.ASCII)
GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$", re.ASCII)
DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$", re.ASCII)
MINUTES = re.compile(r"^(\d+)\s*(m|min|mins|minutes?)?\.?$", re.I | re.ASCII)
HOURS_MINUTES = re.compile(r"^(\d+)\s*h(?:ours?|rs?)?\s*(?:(\d+)\s*(?:m|min|mins|minutes?)?)?$", re.I | re.ASCII)
SAFE = 2**53 - 1


def whole_number(t):
    if WHOLE.match(t) or GROUPED.match(t):
        return safe(int(t.replace(",", "")))
    return INVALID


def safe(n):
    return n if abs(n) <= SAFE else INVALID


def minutes(t):
    m = MINUTES.match(t)
    if m:
        return safe(int(m.group(1)))
    hm = HOURS_MINUTES.match(t)
    return safe(int(hm.group(1)) * 60 + int(hm.group(2) or 0)) if hm else INVALID


def genres(t):
    parts = [g.strip() for g in t.split(",") if g.strip()]
    return ", ".join(parts) if parts else None


COERCIONS = {
    "text": lambda t: t,
    "genres": genres,
    "year": lambda t: int(t) if re.match(r"^\d{4}$", t, re.ASCII) else INVALID,
    "integer": whole_number,
    "decimal": lambda t: float(t) if DECIMAL.match(t) else INVALID,
    "minutes": minutes,
    "money": lambda t: whole_number(re.sub(r"\.\d{1,2}$", "", re.sub(r"^\$\s*", "", t))),
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
# Wide enough for every value a coercion returns: Spark fails the whole job on a value that
# does not fit its column, where the rules should quarantine the row.
SPARK_TYPES = {"text": T.StringType(), "genres": T.StringType(), "year": T.IntegerType(), "integer": T.LongType(),
               "decimal": T.DoubleType(), "minutes": T.LongType(), "money": T.LongType()}


def coerce(kind, text):
    t = text.strip()
    return None if t == "" else COERCIONS[kind](t)


def normalize_header(h):
    h = h.lstrip("\ufeff").strip()
    h = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", h).lower()
    h = re.sub(r"[\s\-./]+", "_", h)
    h = "".join(c for c in h if c.isalnum() or c == "_")
    return re.sub(r"_+", "_", h).strip("_")


def derive_movie_id(title, year):
    folded = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c)).lower()
    slug = re.sub(r"-+", "-", "".join(c if c.isalnum() else "-" for c in folded)).strip("-")
    return f"{slug or 'untitled'}-{year}"


# --- reading the drop ---

def read_drop(body, name):
    if body.startswith(LFS_POINTER):
        raise DropFileError(f"{name}:1: this is a Git LFS pointer, not the data")
    if b"\x00" in body:
        raise DropFileError(f"{name}: the file contains a NUL byte (is it binary, or UTF-16?)")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = body[: err.start].count(b"\n") + 1
        raise DropFileError(f"{name}:{line}: the file is not valid UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    # csv.reader counts the line where a record ends; a record starts after the previous one.
    starts, previous_end = [], 0
    try:
        for row in reader:
            if any(cell != "" for cell in row):
                starts.append((previous_end + 1, row))
            previous_end = reader.line_num
    except csv.Error as err:
        raise DropFileError(f"{name}:{reader.line_num}: {err}") from None
    if not starts:
        raise DropFileError(f"{name}: the file is empty")
    (_, header), rows = starts[0], starts[1:]
    if len(header) == 1:
        for sep, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if sep in header[0]:
                raise DropFileError(f"{name}:1: the header is separated by {label}; drops must be comma-separated")
    by_alias = {a: c for c in CONTRACT["inputColumns"] for a in [c["name"], *c["aliases"]]}
    fields = {}
    for i, raw in enumerate(header):
        column = by_alias.get(normalize_header(raw))
        if column:
            if column["name"] in fields:
                raise DropFileError(f'{name}:1: two columns both name "{column["name"]}"')
            fields[column["name"]] = i
    missing = [c for c in CONTRACT["inputColumns"] if c["required"] and c["name"] not in fields]
    if missing:
        listed = "; ".join(f"{c['name']} (also accepted: {', '.join(c['aliases'])})" for c in missing)
        raise DropFileError(f"{name}:1: missing required column{'s' if len(missing) > 1 else ''}: {listed}")
    if not rows:
        raise DropFileError(f"{name}: the file has a header but no data rows")
    return header, fields, rows


def canonical(header, fields, line, row):
    """Canonical values and contract violations of one row."""
    out, problems = {}, []
    if len(row) != len(header):
        problems.append(f"expected {len(header)} fields, found {len(row)}")
    for column in CONTRACT["inputColumns"]:
        i = fields.get(column["name"])
        text = row[i] if i is not None and i < len(row) else ""
        value = coerce(column["coercion"], text)
        if value is INVALID:
            problems.append(f'{column["name"]} is not {EXPECTED[column["coercion"]]} ("{text.strip()[:40]}")')
            value = None
        out[column["name"]] = value
    if out.get("movie_id") is None and out.get("title") is not None and out.get("release_year") is not None:
        out["movie_id"] = derive_movie_id(out["title"], out["release_year"])
    out["primary_genre"] = out["genres"].split(", ")[0] if out.get("genres") else None
    out["source_line"] = line
    out["contract_violations"] = problems
    out["original"] = json.dumps(row)
    return out


# --- the run ---

def main():
    sc = SparkContext.getOrCreate()
    glue = GlueContext(sc)
    spark = glue.spark_session
    bucket, key, execution = ARGS["bucket"], ARGS["key"], ARGS["execution"]
    # The object this run was started for, not a newer one dropped under the same key since.
    # Quoted, as HTTP writes an entity tag (EventBridge reports it bare).
    etag = '"' + ARGS["etag"].strip('"') + '"'
    head = s3.head_object(Bucket=bucket, Key=key, IfMatch=etag)
    source = {"bucket": bucket, "key": key, "etag": ARGS["etag"], "size": head["ContentLength"]}
    for meta, field in METADATA_KEYS.items():
        if meta in head.get("Metadata", {}):
            source[field] = head["Metadata"][meta]
    body = s3.get_object(Bucket=bucket, Key=key, IfMatch=etag)["Body"].read()
    header, fields, rows = read_drop(body, key)

    schema = T.StructType(
        [T.StructField(c["name"], SPARK_TYPES[c["coercion"]]) for c in CONTRACT["inputColumns"]]
        + [
            T.StructField("primary_genre", T.StringType()),
            T.StructField("source_line", T.IntegerType()),
            T.StructField("contract_violations", T.ArrayType(T.StringType())),
            T.StructField("original", T.StringType()),
        ]
    )
    frame = spark.createDataFrame([canonical(header, fields, line, row) for line, row in rows], schema).cache()
    evaluated = EvaluateDataQuality().process_rows(
        frame=DynamicFrame.fromDF(frame, glue, "drop"),
        ruleset=RULESET,
        publishing_options={"dataQualityEvaluationContext": execution, "enableDataQualityResultsPublishing": True},
        additional_options={"performanceTuning.caching": "CACHE_NOTHING"},
    )
    rule_outcomes = SelectFromCollection.apply(dfc=evaluated, key="ruleOutcomes").toDF().collect()
    quarantined = F.udf(lambda rules: bool(row_checks_failed(rules)), T.BooleanType())
    rows_out = (
        SelectFromCollection.apply(dfc=evaluated, key="rowLevelOutcomes").toDF()
        .withColumn("quarantined", (F.size("contract_violations") > 0) | quarantined("DataQualityRulesFail"))
        .cache()
    )

    rules, gates_failed = [], []
    for i, r in enumerate(rule_outcomes):
        text = re.sub(r"\s+", " ", r["Rule"]).strip()
        gate = GATES.get(text, True)  # a rule we cannot place gates the batch: never load on doubt
        result = {"Passed": "PASS", "Failed": "FAIL"}.get(r["Outcome"], "ERROR")
        name = f"Rule_{i + 1}"
        entry = {"name": name, "rule": text, "result": result, "gate": gate,
                 "metrics": {k: float(v) for k, v in (r["EvaluatedMetrics"] or {}).items()}}
        if r["FailureReason"]:
            entry["message"] = r["FailureReason"]
        rules.append(entry)
        if gate and result != "PASS":
            gates_failed.append(name)

    # Not Glue's DataQualityEvaluationResult, which fails a row on a gate's per-row outcome too.
    failed_rows = rows_out.filter("quarantined")
    good_rows = rows_out.filter("NOT quarantined")
    total, n_failed = rows_out.count(), failed_rows.count()
    n_passed = total - n_failed
    reasons = {}
    for row in failed_rows.select("source_line", "contract_violations", "DataQualityRulesFail").collect():
        for reason in [*(re.sub(r' \(".*"\)$', "", v) for v in row["contract_violations"]), *row_checks_failed(row["DataQualityRulesFail"])]:
            entry = reasons.setdefault(reason, {"reason": reason, "rows": 0, "lines": []})
            entry["rows"] += 1
            if len(entry["lines"]) < 5:
                entry["lines"].append(row["source_line"])
    quality = {
        "score": sum(r["result"] == "PASS" for r in rules) / len(rules) if rules else 1.0,
        "rowsProcessed": total, "rowsPassed": n_passed, "rowsFailed": n_failed,
        "rules": rules, "gatesFailed": gates_failed,
        "reasons": sorted(reasons.values(), key=lambda r: (-r["rows"], r["lines"][0]))[:10],
    }
    quarantine_prefix = f"bad_data/{execution}/"

    if gates_failed or n_passed == 0:
        # The batch is rejected: the whole file goes to quarantine and nothing loads.
        target = quarantine_prefix + key.split("/")[-1]
        # The file this run read, not a newer drop under the same key.
        s3.copy_object(Bucket=bucket, Key=target, CopySource={"Bucket": bucket, "Key": key}, CopySourceIfMatch=etag)
        write_results({"status": "QUALITY_FAILED", "source": source, "quality": quality,
                       "load": {"table": CONTRACT["table"], "rowsLoaded": 0},
                       "quarantine": {"uri": f"s3://{bucket}/{target}", "rows": total}})
        return

    quarantine = None
    if n_failed:
        bad = failed_rows.selectExpr(
            "source_line", "original", "to_json(contract_violations) AS ContractViolations",
            "to_json(DataQualityRulesPass) AS DataQualityRulesPass", "to_json(DataQualityRulesFail) AS DataQualityRulesFail",
            "to_json(DataQualityRulesSkip) AS DataQualityRulesSkip", "DataQualityEvaluationResult")
        bad.coalesce(1).write.mode("overwrite").option("header", True).csv(f"s3://{bucket}/{quarantine_prefix}rows/")
        quarantine = {"uri": f"s3://{bucket}/{quarantine_prefix}rows/", "rows": n_failed}

    load(glue, good_rows, key, execution, list(fields))
    write_results({"status": "PARTIAL" if n_failed else "SUCCEEDED", "source": source, "quality": quality,
                   "load": {"table": CONTRACT["table"], "rowsLoaded": n_passed}, "quarantine": quarantine})


def load(glue, good_rows, key, execution, carried):
    """Good rows → staging table → one MERGE, in one transaction (idempotent by movie_id).

    `carried`: the contract columns the drop has; a movie already loaded keeps its other columns.
    """
    staging = movies_load.staging_table(CONTRACT, execution)
    # The key is a value, never SQL text: F.lit, not an interpolated expression.
    frame = good_rows.select(
        *movies_load.canonical_columns(CONTRACT), F.lit(key).alias("source_key"), F.current_timestamp().alias("loaded_at")
    )
    glue.write_dynamic_frame.from_jdbc_conf(
        frame=DynamicFrame.fromDF(frame, glue, "good"),
        catalog_connection=ARGS["redshift_connection"],
        connection_options={
            "database": ARGS["redshift_database"],
            "dbtable": staging,
            "preactions": movies_load.preactions(CONTRACT, execution),
            "postactions": movies_load.postactions(CONTRACT, execution, carried),
            # COPY reads the staged files with the warehouse's own role, not the job's credentials.
            "aws_iam_role": ARGS["redshift_role"],
        },
        redshift_tmp_dir=ARGS["TempDir"],
    )


# --- the archive step's CopySource (copySourceOf in infra/pipeline/etl-results.ts) ---

def copy_source(bucket, key):
    """bucket/key URL-encoded as RFC 3986, slashes kept: S3 decodes CopySource, and no intrinsic can encode."""
    return quote(f"{bucket}/{key}", safe="/")


def write_results(results):
    results = {**results, "copySource": copy_source(ARGS["bucket"], ARGS["key"])}
    s3.put_object(Bucket=ARGS["bucket"], Key=ARGS["results_key"], Body=json.dumps(results).encode(), ContentType="application/json")


if __name__ == "__main__":
    try:
        main()
    except DropFileError as err:
        # One sentence for the outcome's cause; no stack trace for a user's file.
        print(str(err), file=sys.stderr)
        raise SystemExit(str(err)) from None
