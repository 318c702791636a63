"""The Glue job's S3 client and its pinned reads, one client per Python process (the driver and
each executor). They live in the library, not in the job script: Spark ships the script's
functions by value, with the globals they use, and a client does not pickle; a library module's
functions and classes travel by name, and each process makes its own client."""

import boto3

_client = None


def s3():
    """This process's S3 client."""
    global _client
    if _client is None:
        _client = boto3.client("s3")
    return _client


class PinnedObject:
    """Byte ranges of the object a run was started for. Every GET names its ETag, so a newer
    drop under the same key fails the read (412) instead of mixing two files into one load."""

    def __init__(self, bucket, key, etag, size):
        self.bucket, self.key, self.etag, self.size = bucket, key, etag, size

    def __call__(self, start, end):
        if end <= start:
            return b""
        return s3().get_object(Bucket=self.bucket, Key=self.key, IfMatch=self.etag,
                               Range=f"bytes={start}-{end - 1}")["Body"].read()


def get_if_present(bucket, key, etag=None):
    """A small object's bytes, or None when there is no such key (404) or it no longer has `etag`
    (412). The job's role may list the input prefix, so a missing key is a 404, not a 403."""
    try:
        return s3().get_object(Bucket=bucket, Key=key, **({"IfMatch": f'"{etag}"'} if etag else {}))["Body"].read()
    except Exception as err:  # botocore's ClientError: what S3 answered is in err.response
        response = getattr(err, "response", None) or {}
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status in (404, 412) or response.get("Error", {}).get("Code") in ("NoSuchKey", "PreconditionFailed"):
            return None
        raise
