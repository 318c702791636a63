import json
import os

from pyspark.sql import SparkSession


class _Writer:
    def from_jdbc_conf(self, frame, catalog_connection, connection_options, redshift_tmp_dir):
        with open(os.environ["GLUE_STANDIN_JDBC"], "w") as f:
            json.dump({"rows": frame.rows, "connection": catalog_connection, "options": connection_options,
                       "tempDir": redshift_tmp_dir}, f)


class GlueContext:
    def __init__(self, sc):
        self.spark_session = SparkSession()
        self.write_dynamic_frame = _Writer()
