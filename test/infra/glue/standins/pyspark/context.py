from pyspark._ship import check


class RDD:
    def __init__(self, items):
        self.items = list(items)

    def map(self, f):
        check(f)
        return RDD(f(x) for x in self.items)

    def flatMap(self, f):
        check(f)
        return RDD(y for x in self.items for y in f(x))

    def collect(self):
        return list(self.items)


class SparkContext:
    parallelized = []

    @classmethod
    def getOrCreate(cls):
        return cls()

    def parallelize(self, items, slices):
        SparkContext.parallelized.append(slices)
        items = list(items)
        check(items)  # the splits travel to the executors too
        return RDD(items)
