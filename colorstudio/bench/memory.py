"""Peak resident memory (RSS) of a piece of work in this process, measured honestly.

On Linux the kernel keeps the process's peak RSS (``VmHWM`` in /proc/self/status) and
lets a process reset it to the current RSS (write "5" to /proc/self/clear_refs). So:
reset, note the RSS, run, read VmHWM: the difference is the work's own peak, including
memory that numpy, OpenCV and torch allocate outside Python's view (tracemalloc misses
OpenCV's and torch's). glibc's malloc may keep freed memory mapped, which would hide
later peaks; :func:`release_freed_memory_promptly` pins its mmap threshold so large
blocks go back to the system when freed. Elsewhere, a sampling thread polls the RSS.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
import time

_MB = 1024 * 1024
_tuned = False


def release_freed_memory_promptly() -> bool:
    """glibc: allocations >= 128 KiB are mmapped and unmapped on free (no dynamic threshold).

    Returns True if it could be set. Call once, early, in the measuring process.
    """
    global _tuned
    if _tuned:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        ok = libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024) == 1
        libc.mallopt(M_TRIM_THRESHOLD, 256 * 1024)
        _tuned = ok
        return ok
    except (OSError, AttributeError):
        return False


def trim_heap() -> None:
    """Give the heap's free memory back to the system (glibc ``malloc_trim``), so that the RSS
    before a measured run is not inflated by what earlier runs freed. No-op elsewhere."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


def start_memory_run() -> tuple[bool, float | None]:
    """Prepare a run whose peak RSS is measured after timed runs: freed blocks go back to the
    system from now on, the heap is trimmed and the peak counter reset. -> (reset worked,
    RSS before the run in MB). Not for timed runs: that allocator setting slows torch ~2x."""
    release_freed_memory_promptly()
    trim_heap()
    reset_ok = reset_peak()
    return reset_ok, current_rss_mb()


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def current_rss_mb() -> float | None:
    kb = _status_kb("VmRSS")
    return None if kb is None else kb / 1024.0


def peak_rss_mb() -> float | None:
    """The process's peak RSS so far (since the last reset), MB."""
    kb = _status_kb("VmHWM")
    if kb is not None:
        return kb / 1024.0
    try:
        import resource

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return rss / (_MB if sys.platform == "darwin" else 1024.0)
    except ImportError:
        return None


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0). False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class PeakMemory:
    """Context manager: ``.extra_mb`` = peak RSS during the block minus RSS at its start;
    ``.peak_mb`` = the process's peak RSS during the block; ``.how`` = how it was measured.
    """

    def __init__(self, poll_seconds: float = 0.002):
        self.poll_seconds = poll_seconds
        self.start_mb = self.peak_mb = self.extra_mb = None
        self.how = "unavailable"
        self._stop = None
        self._thread = None
        self._sampled = 0.0

    def __enter__(self):
        # reset first, then read the start, so that the peak and the start are counted from the
        # same moment (memory freed in between would otherwise hide part of the block's peak)
        reset = current_rss_mb() is not None and reset_peak()
        self.start_mb = current_rss_mb()
        if reset:
            self.how = "VmHWM reset"
        elif self.start_mb is not None:
            self.how = "RSS sampling"
            self._sampled = self.start_mb
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._poll, daemon=True)
            self._thread.start()
        return self

    def _poll(self):
        while not self._stop.is_set():
            rss = current_rss_mb() or 0.0
            self._sampled = max(self._sampled, rss)
            time.sleep(self.poll_seconds)

    def __exit__(self, *exc):
        if self.how == "VmHWM reset":
            self.peak_mb = peak_rss_mb()
        elif self.how == "RSS sampling":
            self._stop.set()
            self._thread.join()
            self.peak_mb = max(self._sampled, current_rss_mb() or 0.0)
        if self.peak_mb is not None and self.start_mb is not None:
            self.extra_mb = max(0.0, self.peak_mb - self.start_mb)
        return False


def describe() -> str:
    """One line for reports: how peak memory is measured on this machine."""
    pid_ok = os.path.exists("/proc/self/clear_refs")
    return ("peak RSS via /proc/self/status VmHWM, reset per run through /proc/self/clear_refs"
            if pid_ok else "peak RSS by sampling the resident size every 2 ms")
