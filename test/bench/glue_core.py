"""The Glue job's contract step (infra/glue/lib) over a local file, as its executors run it:
first pass and second pass per 64 MiB split, on `workers` processes (1 = one core). Prints
JSON: seconds, peak RSS of the busiest process, rows, rows with contract problems."""

import json
import os
import resource
import sys
import time
from multiprocessing import Pool

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "infra", "glue", "lib"))
import movies_csv  # noqa: E402
import movies_drop  # noqa: E402


class FileRange:
    """Byte ranges of a local file, like the job's ranged GETs of the object."""

    def __init__(self, path):
        self.path = path

    def __call__(self, start, end):
        with open(self.path, "rb") as f:
            f.seek(start)
            return f.read(end - start)


def count(args):
    plan, read, split, size = args
    rows = problems = 0
    for _, _, p, _ in movies_drop.drop_rows(plan, read, split):
        rows += 1
        problems += bool(p)
    return rows, problems, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    path, workers, contract = sys.argv[1], int(sys.argv[2]), json.load(open(sys.argv[3]))
    size, read = os.path.getsize(path), FileRange(path)
    start = time.perf_counter()
    with Pool(workers) as pool:
        # Each split's first pass on a worker (the job's map over the splits), then each split's rows.
        plan = movies_drop.open_drop(contract, path, read, size, 64 << 20,
                                     lambda f, s: pool.map(_summarize, [(read, a, b, size) for a, b in s]))
        counted = pool.map(count, [(plan, read, s, size) for s in plan.splits])
    seconds = time.perf_counter() - start
    rss = max([c[2] for c in counted] + [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss])
    print(json.dumps({"seconds": seconds, "maxRssMB": rss / 1024, "rows": sum(c[0] for c in counted),
                      "problems": sum(c[1] for c in counted)}))


def _summarize(args):
    read, a, b, size = args
    return movies_csv.summarize(read, a, b, size)


if __name__ == "__main__":
    main()
