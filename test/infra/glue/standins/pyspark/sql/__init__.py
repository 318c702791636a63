class Row(dict):
    def asDict(self):
        return dict(self)


class DataFrame:
    def __init__(self, rows):
        self.rows = [Row(r) for r in rows]

    def persist(self, *_):
        return self

    cache = persist

    def unpersist(self):
        return self

    def withColumn(self, name, column):
        return DataFrame({**r, name: column(r)} for r in self.rows)

    def filter(self, condition):
        from pyspark.sql.functions import col
        test = col(condition) if isinstance(condition, str) else condition
        return DataFrame(r for r in self.rows if test(r))

    def select(self, *columns):
        from pyspark.sql.functions import col
        columns = [col(c) if isinstance(c, str) else c for c in columns]
        out = [{}]
        for r in self.rows:
            row = [{}]
            for c in columns:
                value = c(r)
                if c.explode:
                    row = [{**x, c.name: v} for x in row for v in (value or [])]
                else:
                    row = [{**x, c.name: value} for x in row]
            out.extend(row)
        return DataFrame(out[1:])

    selectExpr = select

    def agg(self, *columns):
        return DataFrame([{c.name: c.aggregate(self.rows) for c in columns}])

    def groupBy(self, *names):
        frame = self

        class Grouped:
            def agg(self, *columns):
                groups = {}
                for r in frame.rows:
                    groups.setdefault(tuple(r[n] for n in names), []).append(r)
                return DataFrame({**dict(zip(names, k)), **{c.name: c.aggregate(g) for c in columns}}
                                 for k, g in groups.items())

        return Grouped()

    def orderBy(self, *keys):
        from pyspark.sql.functions import col
        rows = list(self.rows)
        for k in reversed(keys):
            k = col(k) if isinstance(k, str) else k
            rows.sort(key=lambda r: k(r), reverse=k.descending)
        return DataFrame(rows)

    def sortWithinPartitions(self, name):
        return DataFrame(sorted(self.rows, key=lambda r: r[name]))

    def repartition(self, n):
        assert n == 1
        return self

    def limit(self, n):
        return DataFrame(self.rows[:n])

    def collect(self):
        return list(self.rows)

    def first(self):
        return self.rows[0]

    def foreachPartition(self, f):
        from pyspark._ship import check

        check(f)(iter(self.rows))


class SparkSession:
    def createDataFrame(self, rdd, schema):
        names = [f.name for f in schema.fields]
        return DataFrame(dict(zip(names, item)) for item in rdd.items)
