"""Where the soak's memory goes: live objects counted by type between simulated hours (`SOAK_TRACE_MEMORY=types`,
cheap), and with `SOAK_TRACE_MEMORY=N` also tracemalloc snapshots diffed by traceback (N frames; slows the run about
twofold and more), so growth can be pinned on a line of code rather than guessed."""

from __future__ import annotations

from collections import Counter
import ctypes
from dataclasses import dataclass
import gc
import os
from pathlib import Path
import sys
import tracemalloc

TOP = 25  # allocation sites printed per diff


class _MallInfo2(ctypes.Structure):
    """glibc's `struct mallinfo2` (all `size_t`)."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks")
    ] + [("keepcost", ctypes.c_size_t)]


def _malloc_mb() -> str:
    """RSS, and what glibc's allocator holds: in use, free inside its heaps (fragmentation) and mmapped."""
    rss = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1]) * os.sysconf("SC_PAGE_SIZE")
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):
        return f"rss {rss / 1e6:.1f} MB"
    traced = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
    return (
        f"rss {rss / 1e6:.1f} MB, malloc in use {info.uordblks / 1e6:.1f} MB,"
        f" free in heaps {info.fordblks / 1e6:.1f} MB, mmapped {info.hblkhd / 1e6:.1f} MB,"
        f" traced by tracemalloc {traced / 1e6:.1f} MB"
    )


def _types() -> Counter[str]:
    return Counter(type(obj).__qualname__ for obj in gc.get_objects())


@dataclass
class MemoryTrace:
    """Snapshots taken with `mark`; each diff against the first is printed to stderr."""

    frames: int = 0  # 0: count objects only
    first: tracemalloc.Snapshot | None = None
    first_types: Counter[str] | None = None

    def start(self) -> None:
        """Trace allocations from now (when `frames` is set)."""
        if self.frames:
            tracemalloc.start(self.frames)

    def mark(self, label: str) -> None:
        """A snapshot; from the second one on, its growth since the first by object type (and by traceback)."""
        gc.collect()
        types = _types()
        snapshot = None
        if self.frames:
            snapshot = tracemalloc.take_snapshot().filter_traces((tracemalloc.Filter(False, tracemalloc.__file__),))
        if self.first_types is None:
            self.first, self.first_types = snapshot, types
            print(f"\n=== memory at {label}: {_malloc_mb()}", file=sys.stderr)
            return
        grown = Counter({name: types[name] - self.first_types.get(name, 0) for name in types})
        print(f"\n=== memory at {label}: {_malloc_mb()}", file=sys.stderr)
        print(f"=== objects at {label}, grown by type: {grown.most_common(TOP)}", file=sys.stderr, flush=True)
        if snapshot is None or self.first is None:
            return
        stats = snapshot.compare_to(self.first, "traceback")
        total = sum(stat.size_diff for stat in stats)
        print(f"=== traced at {label}: {total / 1e6:+.1f} MB since the first mark", file=sys.stderr)
        for stat in stats[:TOP]:
            print(f"--- {stat.size_diff / 1e6:+.2f} MB, {stat.count_diff:+d} blocks", file=sys.stderr)
            for line in stat.traceback.format():
                print(f"    {line}", file=sys.stderr)
        sys.stderr.flush()
