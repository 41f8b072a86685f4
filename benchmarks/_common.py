"""Helpers for the benchmark scripts: alternating timed runs, medians, tables."""
import statistics
import time


def alternate(runs, repeats, warm_bytes=0):
    """Time each callable in ``runs`` (name -> fn) ``repeats`` times, interleaved so that
    machine noise hits every contender alike. Returns (median seconds, last result) per name.

    The order is shuffled each round (seeded, so a run is repeatable), so that no
    contender always runs right after the same one.

    ``warm_bytes``: write and free that much memory right before each timed call. On
    these VMs (Firecracker, virtio-balloon free page reporting) memory freed more than
    about 2 s earlier goes back to the host, and the first write to it costs about 2 ms
    per MB again: 0.3-0.45 s for a 5000 x 5000 float64 matrix, against 0.025 s for pages
    freed just before (measured with gaps of 0-8 s). A contender that allocates its
    matrix after a long gap paid it and one that came right after another did not
    (clusterkit's fit(X) measured 0.55 s or 0.95 s by its place in the round). Warming
    gives every call the recently used pages a loop of fits would get.
    """
    import random

    import numpy as np

    order = random.Random(0)
    names = list(runs)
    times = {name: [] for name in names}
    results = {}
    for _ in range(repeats):
        for name in order.sample(names, len(names)):
            if warm_bytes:
                buf = np.ones(int(warm_bytes) // 8)
                del buf
            t0 = time.perf_counter()
            results[name] = runs[name]()
            times[name].append(time.perf_counter() - t0)
    return {name: (statistics.median(times[name]), results[name]) for name in names}


def table(header, rows):
    """Print a Markdown table."""
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")
    print(flush=True)
