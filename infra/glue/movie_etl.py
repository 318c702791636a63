"""movies-gds ETL job (AWS Glue 5, PySpark): the thin Spark edge around infra/glue/lib.

One drop: read it through the data contract, evaluate the Data Quality ruleset with row-level
outcomes, then either quarantine the whole file (a batch gate failed) or quarantine the failed
rows and load the rest into Redshift through a staging table and one MERGE. Writes the run's
results JSON for the state machine.

Where the work runs. On the executors: the object is read in byte ranges, each request pinned
to the run's ETag; parsed, checked and coerced by the contract (movies_drop); evaluated by
EvaluateDataQuality; routed; the failed rows streamed by one task into the one quarantine
object; the good rows staged for Redshift. On the driver: one small summary per 64 MiB split,
the header, the rule outcomes, two counts and the ten most common failure reasons with five
lines each. Nothing on the driver grows with the file.

The contract, the ruleset and which rules gate the batch arrive as job arguments emitted at
synth from the TypeScript sources (contract), Base64-encoded; infra/glue/lib arrives as
--extra-py-files. `npm run parity` holds that library and the TypeScript engine together.
"""

import base64
import json
import sys

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.transforms import SelectFromCollection
from awsglue.utils import getResolvedOptions
from awsgluedq.transforms import EvaluateDataQuality
from pyspark import StorageLevel
from pyspark.context import SparkContext
from pyspark.sql import functions as F
from pyspark.sql import types as T

import movies_contract
import movies_drop
import movies_load
import movies_mapping
import movies_outcome
import movies_quarantine
from movies_s3 import PinnedObject, get_if_present, s3

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


# --- job arguments (encoded by infra/constructs/glue-arguments.ts) ---

def decode_argument(text):
    """Base64 of UTF-8: JSON quotes and the ruleset's newlines survive Glue's command line."""
    return base64.b64decode(text, validate=True).decode("utf-8")


CONTRACT = json.loads(decode_argument(ARGS["contract"]))
RULESET = decode_argument(ARGS["ruleset"])
# [{rule, gate}] in ruleset order: Glue reports rule outcomes in the same order.
GATES = json.loads(decode_argument(ARGS["gates"]))
# --- end of job arguments ---

INPUT_PREFIX = "input_data/"
QUARANTINE_PREFIX = "bad_data/"
SPLIT_BYTES = 64 << 20
# Wide enough for every value a coercion returns (whole numbers stop at 2^53), in range for its
# column or not: a value out of range quarantines its row, and Spark must still hold it.
SPARK_TYPES = {"text": T.StringType(), "genres": T.StringType(), "year": T.IntegerType(), "integer": T.LongType(),
               "decimal": T.DoubleType(), "minutes": T.LongType(), "money": T.LongType()}
ROW_SCHEMA = T.StructType(
    [T.StructField(c["name"], SPARK_TYPES[c["coercion"]]) for c in CONTRACT["inputColumns"]]
    + [
        T.StructField("primary_genre", T.StringType()),
        T.StructField("source_line", T.LongType()),
        T.StructField("contract_violations", T.ArrayType(T.StringType())),
        T.StructField("contract_reasons", T.ArrayType(T.StringType())),
        T.StructField("original", T.ArrayType(T.StringType())),
    ]
)


def main():
    sc = SparkContext.getOrCreate()
    glue = GlueContext(sc)
    spark = glue.spark_session
    bucket, key, execution = ARGS["bucket"], ARGS["key"], ARGS["execution"]
    # Quoted, as HTTP writes an entity tag (EventBridge reports it bare).
    etag = '"' + ARGS["etag"].strip('"') + '"'
    head = s3().head_object(Bucket=bucket, Key=key, IfMatch=etag)
    source = movies_outcome.source(bucket, key, etag, head["ContentLength"], head.get("Metadata", {}))
    read = PinnedObject(bucket, key, etag, head["ContentLength"])
    if read.size > CONTRACT["maxDropBytes"]:
        raise SystemExit(movies_outcome.too_large(key, read.size, CONTRACT["maxDropBytes"]))
    # The mapping the uploader checked the drop with (or, for a drop uploaded by hand, the nearest).
    try:
        mapping = movies_mapping.find_mapping(
            key, INPUT_PREFIX, head.get("Metadata", {}), lambda k, tag: get_if_present(bucket, k, tag),
            [c["name"] for c in CONTRACT["inputColumns"]])
    except (ValueError, movies_mapping.MappingError) as err:
        raise SystemExit(str(err)) from None
    if mapping:
        source["mapping"] = mapping["file"]

    def on_executors(f, splits):
        return sc.parallelize(splits, max(1, len(splits))).map(f).collect()

    drop = movies_drop.open_drop(CONTRACT, key, read, read.size, SPLIT_BYTES, on_executors, mapping)

    def rows_of(split):
        for line, values, problems, fields in movies_drop.drop_rows(drop, read, split):
            yield (*values, line, [movies_contract.describe(p) for p in problems], [p[0] for p in problems], fields)

    splits = sc.parallelize(drop.splits, len(drop.splits))
    # Cached: Data Quality reads the frame more than once, and parsing it again means reading S3 again.
    frame = spark.createDataFrame(splits.flatMap(rows_of), ROW_SCHEMA).persist(StorageLevel.MEMORY_AND_DISK)
    evaluated = EvaluateDataQuality().process_rows(
        frame=DynamicFrame.fromDF(frame, glue, "drop"),
        ruleset=RULESET,
        publishing_options={"dataQualityEvaluationContext": execution, "enableDataQualityResultsPublishing": True},
        additional_options={"performanceTuning.caching": "CACHE_NOTHING"},
    )
    outcomes = SelectFromCollection.apply(dfc=evaluated, key="ruleOutcomes").toDF().collect()
    rules, gate_texts = movies_outcome.rule_results([o.asDict() for o in outcomes], GATES)

    route = F.udf(lambda problems, failed: movies_contract.quarantined(problems, failed, gate_texts), T.BooleanType())
    rows_out = (
        SelectFromCollection.apply(dfc=evaluated, key="rowLevelOutcomes").toDF()
        .withColumn("quarantined", route("contract_reasons", "DataQualityRulesFail"))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    counts = rows_out.agg(F.count(F.lit(1)).alias("total"), F.sum(F.col("quarantined").cast("long")).alias("failed")).first()
    total, n_failed = counts["total"], counts["failed"] or 0
    frame.unpersist()  # the evaluated rows are cached now; the parsed ones are not needed again
    decision = movies_contract.decide_batch(rules, total - n_failed, n_failed)
    failed_rows = rows_out.filter("quarantined")
    quality = movies_outcome.quality(rules, decision, total, n_failed, failure_reasons(failed_rows, sorted(gate_texts)))

    quarantine = None
    if decision["verdict"] == "QUALITY_FAILED":
        # The batch is rejected: the whole file goes to quarantine and nothing loads.
        quarantine = movies_quarantine.file_key(QUARANTINE_PREFIX, execution, key)
        copy_pinned(read, quarantine)
    else:
        if n_failed:
            quarantine = movies_quarantine.rows_key(QUARANTINE_PREFIX, execution)
            write_quarantine(failed_rows, drop.layout.header, bucket, quarantine)
        load(glue, rows_out.filter(~F.col("quarantined")), key, execution, drop.layout.carried)
    uri = f"s3://{bucket}/{quarantine}" if quarantine else None
    write_results(movies_outcome.results(decision, source, quality, CONTRACT["table"], uri))


def failure_reasons(failed_rows, gates):
    """The ten most common reasons rows were quarantined, with their first five lines: contract
    problems and failed row checks, never gates. Counted on the executors."""
    failed_checks = F.filter(F.coalesce("DataQualityRulesFail", F.array().cast("array<string>")), lambda r: ~r.isin(*gates))
    top = (
        failed_rows.select("source_line", F.explode(F.concat("contract_reasons", failed_checks)).alias("reason"))
        .groupBy("reason")
        .agg(F.count(F.lit(1)).alias("rows"), F.slice(F.array_sort(F.collect_list("source_line")), 1, 5).alias("lines"))
        .orderBy(F.desc("rows"), F.col("lines")[0])
        .limit(10)
        .collect()
    )
    return [{"reason": r["reason"], "rows": r["rows"], "lines": list(r["lines"])} for r in top]


def write_quarantine(failed_rows, header, bucket, key):
    """The failed rows in file order into one CSV object, streamed by one task as a multipart
    upload (one 8 MiB part in memory at a time): the same object the local twin writes."""
    width = len(header)

    def upload(rows):
        client = s3()
        upload_id = client.create_multipart_upload(Bucket=bucket, Key=key, ContentType="text/csv")["UploadId"]
        etags = []
        try:
            parts = movies_quarantine.Parts(
                lambda n, body: etags.append(client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id,
                                                                PartNumber=n, Body=body)["ETag"]))
            parts.write(movies_quarantine.header_line(header))
            for r in rows:
                parts.write(movies_quarantine.bad_line(width, r["source_line"], r["original"], r["contract_violations"],
                                                       r["DataQualityRulesPass"] or [], r["DataQualityRulesFail"] or [],
                                                       r["DataQualityRulesSkip"] or []))
            parts.close()
            client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={
                "Parts": [{"PartNumber": i + 1, "ETag": e} for i, e in enumerate(etags)]})
        except BaseException:
            client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
            raise

    (failed_rows.select("source_line", "original", "contract_violations", "DataQualityRulesPass",
                        "DataQualityRulesFail", "DataQualityRulesSkip")
     .repartition(1).sortWithinPartitions("source_line").foreachPartition(upload))


def copy_pinned(read, target):
    """The file this run read, copied whole to `target` (not a newer drop under the same key); one
    request, as drops are at most maxDropBytes."""
    s3().copy_object(Bucket=read.bucket, Key=target, CopySource={"Bucket": read.bucket, "Key": read.key},
                     CopySourceIfMatch=read.etag)


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


def write_results(results):
    s3().put_object(Bucket=ARGS["bucket"], Key=ARGS["results_key"], Body=json.dumps(results, allow_nan=False).encode(), ContentType="application/json")


if __name__ == "__main__":
    try:
        main()
    except movies_drop.DropFileError as err:
        # One sentence for the outcome's cause (SystemExit prints it once); no stack trace for a user's file.
        raise SystemExit(str(err)) from None
    except Exception as err:
        # A read or copy refused because the key now holds another object (HTTP 412: botocore says
        # "PreconditionFailed" for a GET or a copy, and only "(412) ... Precondition Failed" for a HEAD).
        text = str(err)
        if not any(mark in text for mark in ("PreconditionFailed", "Precondition Failed", "(412)")):
            raise
        raise SystemExit(
            f"{ARGS['key']} changed after this run started (a newer drop replaced it); that drop's own run loads it."
        ) from None
