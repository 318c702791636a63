"""An S3 client over a directory (GLUE_STANDIN_S3): <bucket>/<key> files and their ETags."""
import hashlib
import json
import os
import threading


class ClientError(Exception):
    """As botocore's: what S3 answered in `response`, and its message."""

    def __init__(self, code, status, operation, message):
        super().__init__(f"An error occurred ({code}) when calling the {operation} operation: {message}")
        self.response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}


class _S3:
    def __init__(self):
        self.root = os.environ["GLUE_STANDIN_S3"]
        self.uploads = {}
        self._lock = threading.Lock()  # as a real client holds: it does not pickle

    def _path(self, bucket, key):
        return os.path.join(self.root, bucket, key)

    def _etag(self, bucket, key):
        # A test may give a (sparse, huge) object its ETag beside it rather than have it read.
        if os.path.exists(self._path(bucket, key) + ".etag"):
            with open(self._path(bucket, key) + ".etag") as f:
                return f.read()
        with open(self._path(bucket, key), "rb") as f:
            return '"' + hashlib.md5(f.read()).hexdigest() + '"'

    def _pinned(self, bucket, key, etag, operation="GetObject"):
        if not os.path.exists(self._path(bucket, key)):
            if operation == "HeadObject":
                raise ClientError("404", 404, operation, "Not Found")
            raise ClientError("NoSuchKey", 404, operation, "The specified key does not exist.")
        if etag is not None and etag != self._etag(bucket, key):
            # As botocore words it: a HEAD has no body, so no error code, only the status.
            if operation == "HeadObject":
                raise ClientError("412", 412, operation, "Precondition Failed")
            raise ClientError("PreconditionFailed", 412, operation,
                              "At least one of the pre-conditions you specified did not hold")

    def _write(self, bucket, key, body):
        path = self._path(bucket, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(body)

    def head_object(self, Bucket, Key, IfMatch=None):
        self._pinned(Bucket, Key, IfMatch, "HeadObject")
        meta = self._path(Bucket, Key) + ".meta.json"
        metadata = json.load(open(meta)) if os.path.exists(meta) else {}
        return {"ContentLength": os.path.getsize(self._path(Bucket, Key)), "Metadata": metadata}

    def get_object(self, Bucket, Key, IfMatch=None, Range=None):
        self._pinned(Bucket, Key, IfMatch)
        with open(self._path(Bucket, Key), "rb") as f:
            data = f.read()
        if Range:
            start, end = Range[len("bytes="):].split("-")
            data = data[int(start):int(end) + 1]

        class Body:
            def read(self):
                return data

        return {"Body": Body()}

    def put_object(self, Bucket, Key, Body, ContentType=None):
        self._write(Bucket, Key, Body)

    def copy_object(self, Bucket, Key, CopySource, CopySourceIfMatch=None):
        self._pinned(CopySource["Bucket"], CopySource["Key"], CopySourceIfMatch, "CopyObject")
        with open(self._path(CopySource["Bucket"], CopySource["Key"]), "rb") as f:
            self._write(Bucket, Key, f.read())

    def create_multipart_upload(self, Bucket, Key, ContentType=None):
        upload = f"upload-{len(self.uploads) + 1}"
        self.uploads[upload] = {}
        return {"UploadId": upload}

    def upload_part(self, Bucket, Key, UploadId, PartNumber, Body):
        self.uploads[UploadId][PartNumber] = Body
        return {"ETag": f'"part-{PartNumber}"'}

    def upload_part_copy(self, Bucket, Key, UploadId, PartNumber, CopySource, CopySourceIfMatch, CopySourceRange):
        body = self.get_object(CopySource["Bucket"], CopySource["Key"], CopySourceIfMatch, CopySourceRange)["Body"].read()
        self.uploads[UploadId][PartNumber] = body
        return {"CopyPartResult": {"ETag": f'"part-{PartNumber}"'}}

    def complete_multipart_upload(self, Bucket, Key, UploadId, MultipartUpload):
        parts = self.uploads.pop(UploadId)
        numbers = [p["PartNumber"] for p in MultipartUpload["Parts"]]
        assert numbers == sorted(parts) == list(range(1, len(parts) + 1)), "parts in order, none missing"
        self._write(Bucket, Key, b"".join(parts[n] for n in numbers))

    def abort_multipart_upload(self, Bucket, Key, UploadId):
        self.uploads.pop(UploadId, None)


def client(service):
    assert service == "s3"
    return _S3()
