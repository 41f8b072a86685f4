"""Helpers for the benchmark scripts: alternating timed runs, medians, tables."""
import statistics
import time


def alternate(runs, repeats):
    """Time each callable in ``runs`` (name -> fn) ``repeats`` times, interleaved so that
    machine noise hits every contender alike. Returns (median seconds, last result) per name.
    """
    times = {name: [] for name in runs}
    results = {}
    for _ in range(repeats):
        for name, fn in runs.items():
            t0 = time.perf_counter()
            results[name] = fn()
            times[name].append(time.perf_counter() - t0)
    return {name: (statistics.median(ts), results[name]) for name, ts in times.items()}


def table(header, rows):
    """Print a Markdown table."""
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for r in rows:
        print("| " + " | ".join(str(c) for c in r) + " |")
    print(flush=True)
