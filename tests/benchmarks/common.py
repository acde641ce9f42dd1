"""Shared pieces of the benchmark commands: machine description, table, JSON report.

Every benchmark writes `{"suite", "machine", "metrics": {name: {"value", "unit", "better"}}}`
and prints the same figures as a table; the README quotes them with the machine they came from.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass
class Metric:
    value: float
    unit: str
    better: Literal["lower", "higher"]
    target: str = ""


@dataclass
class BenchmarkReport:
    suite: str
    metrics: dict[str, Metric] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def add(
        self,
        name: str,
        value: float,
        unit: str,
        better: Literal["lower", "higher"],
        target: str = "",
    ) -> None:
        self.metrics[name] = Metric(round(value, 3), unit, better, target)

    def as_json(self) -> dict[str, object]:
        return {
            "suite": self.suite,
            "machine": machine_info(),
            "metrics": {
                name: {"value": m.value, "unit": m.unit, "better": m.better}
                for name, m in self.metrics.items()
            },
            "notes": self.notes,
        }

    def print_table(self) -> None:
        rows = [(n, f"{m.value:g}", m.unit, m.better, m.target) for n, m in self.metrics.items()]
        header = ("metric", "value", "unit", "better", "target")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
        print(f"== {self.suite} on {machine_info()['description']}")
        print(line)
        print("-" * len(line))
        for row in rows:
            print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))

    def write(self, path: str | os.PathLike[str] | None) -> None:
        self.print_table()
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(json.dumps(self.as_json(), indent=2, ensure_ascii=False) + "\n")


def machine_info() -> dict[str, str | int]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = 0
    try:
        pages = os.sysconf("SC_PHYS_PAGES")
        mem_gib = round(pages * os.sysconf("SC_PAGE_SIZE") / 2**30)
    except (ValueError, OSError):
        pass
    cores = os.cpu_count() or 0
    return {
        "cpu": cpu,
        "cores": cores,
        "memory_gib": mem_gib,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "description": f"{cores} cores, {mem_gib} GiB, {cpu}, Python {platform.python_version()}",
    }


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty list."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def time_calls(fn: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds taken by each of `repeat` calls of `fn`."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as t: ...` then `t[0]` is the elapsed seconds."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)


def benchmark_args(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", metavar="PATH", help="write the report as JSON here")
    parser.add_argument("--quick", action="store_true", help="smaller data set for a smoke run")
    return parser


__all__ = [
    "BenchmarkReport",
    "Metric",
    "benchmark_args",
    "machine_info",
    "percentile",
    "statistics",
    "stopwatch",
    "time_calls",
]
