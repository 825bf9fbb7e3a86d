"""Memory and CPU of this process, sampled at session start and end (as the TypeScript helpers do)."""

from __future__ import annotations

import os
import resource
import sys
import time
from dataclasses import dataclass
from typing import Optional

from .semconv import MetricTypes


@dataclass(frozen=True)
class ProcessSample:
    """The process's resource use at one moment."""

    rss_bytes: int
    memory_limit_bytes: int
    cpu_seconds: float
    wall_seconds: float


_limit: Optional[int] = None


def sample_process() -> ProcessSample:
    """Memory in use, the memory limit, CPU time so far and a monotonic clock. Cheap."""
    return ProcessSample(_rss_bytes(), _memory_limit(), time.process_time(), time.monotonic())


def memory_metrics(sample: ProcessSample) -> list[tuple[str, float, str]]:
    """RSS in bytes, and as a percentage of the limit (what the 80 % alert reads)."""
    percent = sample.rss_bytes / sample.memory_limit_bytes * 100 if sample.memory_limit_bytes else 0.0
    return [(MetricTypes.MEMORY, sample.rss_bytes, "By"), (MetricTypes.MEMORY, round(percent, 3), "%")]


def cpu_metrics(start: ProcessSample, end: ProcessSample) -> list[tuple[str, float, str]]:
    """CPU milliseconds between two samples, and as a percentage of one core over the wall time."""
    cpu_ms = (end.cpu_seconds - start.cpu_seconds) * 1000
    wall_ms = (end.wall_seconds - start.wall_seconds) * 1000
    return [(MetricTypes.CPU, round(cpu_ms, 3), "ms"), (MetricTypes.CPU, round(cpu_ms / wall_ms * 100, 3) if wall_ms > 0 else 0, "%")]


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        # No procfs (macOS): the peak is what getrusage has (bytes on macOS, KiB elsewhere).
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def _memory_limit() -> int:
    global _limit
    if _limit is None:
        machine = 0
        try:
            machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (OSError, ValueError, AttributeError):
            pass
        cgroup = _cgroup_limit()
        _limit = cgroup if cgroup and (not machine or cgroup < machine) else machine
    return _limit


def _cgroup_limit() -> int:
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                text = f.read().strip()
            if text.isdigit():
                return int(text)
        except OSError:
            continue
    return 0
