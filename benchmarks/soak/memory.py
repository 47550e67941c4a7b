"""Where the soak's memory goes (`SOAK_TRACE_MEMORY=1`): tracemalloc snapshots between simulated days, diffed by
traceback, and live objects counted by type, so growth can be pinned on a line of code rather than guessed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
import gc
import sys
import tracemalloc

FRAMES = 12  # traceback depth kept per allocation: enough to get from HA's helpers to our caller
TOP = 25  # allocation sites printed per diff


def _types() -> Counter[str]:
    return Counter(type(obj).__qualname__ for obj in gc.get_objects())


@dataclass
class MemoryTrace:
    """Snapshots taken with `mark`; each diff against the first is printed to stderr."""

    first: tracemalloc.Snapshot | None = None
    first_types: Counter[str] = field(default_factory=Counter)

    def start(self) -> None:
        """Trace from now (tracing slows the run about twofold)."""
        tracemalloc.start(FRAMES)

    def mark(self, label: str) -> None:
        """A snapshot; from the second one on, its growth since the first by traceback and by object type."""
        gc.collect()
        snapshot = tracemalloc.take_snapshot().filter_traces((tracemalloc.Filter(False, tracemalloc.__file__),))
        types = _types()
        if self.first is None:
            self.first, self.first_types = snapshot, types
            return
        stats = snapshot.compare_to(self.first, "traceback")
        total = sum(stat.size_diff for stat in stats)
        print(f"\n=== memory at {label}: {total / 1e6:+.1f} MB traced since the first mark", file=sys.stderr)
        for stat in stats[:TOP]:
            print(f"--- {stat.size_diff / 1e6:+.2f} MB, {stat.count_diff:+d} blocks", file=sys.stderr)
            for line in stat.traceback.format()[-2 * FRAMES :]:
                print(f"    {line}", file=sys.stderr)
        grown = Counter({name: types[name] - self.first_types.get(name, 0) for name in types})
        print(f"=== objects grown by type: {grown.most_common(25)}", file=sys.stderr)
