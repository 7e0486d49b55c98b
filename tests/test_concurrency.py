"""Many threads using the data for the first time at once: one load, the same objects for all.

The module cache is emptied, ``_loading.load`` is wrapped with a counter that also waits a
little (so that, were the lock missing, other threads would start loads of their own), and
32 threads released together by a barrier each make their first call through a different
public entry point.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

import pytest

import titre_mercd
from titre_mercd import _loading, _referentiel

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

THREADS = 32

# Ways a program may touch the data first; thread i starts with FIRST_USES[i % len].
FIRST_USES: list[Callable[[], object]] = [
    titre_mercd.versions,
    lambda: titre_mercd.version("2018-12-11"),
    lambda: titre_mercd.current(dt.date(2020, 1, 1)),
    lambda: titre_mercd.find_block("2011-06-01/2"),
    lambda: titre_mercd.rome("D1408"),
    lambda: titre_mercd.by_nsf("312"),
    lambda: titre_mercd.deemed_obtained(["2011-06-01/3"]),
    lambda: titre_mercd.correspondences("2011-06-01", "2018-12-11"),
    lambda: titre_mercd.DATA_VERSION,
    titre_mercd.preload,
]


def everything_seen() -> tuple[Any, ...]:
    """The records a thread sees once the data is loaded, to compare by identity."""
    return (
        titre_mercd.versions(),
        titre_mercd.version("2018-12-11"),
        titre_mercd.current(dt.date(2020, 1, 1)),
        titre_mercd.find_block("2011-06-01/2"),
        titre_mercd.rome("D1408"),
        titre_mercd.by_nsf("312"),
        titre_mercd.correspondences("2011-06-01", "2018-12-11"),
        titre_mercd.source_of(titre_mercd.version("2018-12-11"), "validity"),
        _referentiel.dataset(),
    )


def run_together(work: Callable[[int], object]) -> list[object]:
    """``work(i)`` in 32 threads released at once; the results, or the first error raised."""
    barrier = threading.Barrier(THREADS)
    results: list[object] = [None] * THREADS
    errors: list[BaseException] = []

    def thread(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Empty the module cache (data and memos) and count the loads of the data, by thread."""
    counted: list[int] = []
    real_load = _loading.load

    def counting_load(root: Any) -> _loading.Dataset:
        counted.append(threading.get_ident())
        time.sleep(0.05)  # the window in which an unlocked cache would let others in
        return real_load(root)

    monkeypatch.setattr(_loading, "load", counting_load)
    shipped = _referentiel.in_use()
    _referentiel._switch(None)
    yield counted
    _referentiel._switch(shipped)


def test_first_use_from_many_threads_loads_once(loads: list[int]) -> None:
    def first_use(i: int) -> tuple[Any, ...]:
        FIRST_USES[i % len(FIRST_USES)]()
        return everything_seen()

    seen = run_together(first_use)

    assert len(loads) == 1, f"the data was loaded {len(loads)} times"
    first = seen[0]
    assert isinstance(first, tuple)
    for other in seen[1:]:
        assert isinstance(other, tuple)
        assert all(a is b for a, b in zip(first, other)), "threads got different objects"
    assert everything_seen()[-1] is first[-1], "the cache changed after the threads"


def test_a_failing_first_load_under_threads_is_retried_not_cached(
    loads: list[int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every thread sees the error of a bad directory; nothing half-loaded stays behind."""
    monkeypatch.setattr(_loading, "_package_data", lambda: tmp_path)  # no MANIFEST.json

    def first_use(i: int) -> str:
        try:
            FIRST_USES[i % len(FIRST_USES)]()
        except titre_mercd.DataError as exc:
            return type(exc).__name__
        return "answered"

    assert set(run_together(first_use)) == {"DataError"}
    assert _referentiel._in_use is None
    assert 1 <= len(loads) <= THREADS


def test_first_use_in_a_fresh_interpreter_loads_once() -> None:
    """The same race where nothing is imported yet: lazy names, modules and data at once."""
    program = textwrap.dedent(
        f"""
        import sys, threading, time
        import titre_mercd._loading as loading

        counted = []
        real_load = loading.load

        def counting_load(root):
            counted.append(1)
            time.sleep(0.05)
            return real_load(root)

        loading.load = counting_load
        import titre_mercd

        barrier = threading.Barrier({THREADS})
        seen = [None] * {THREADS}
        uses = [
            lambda: titre_mercd.versions(),
            lambda: titre_mercd.find_block("2011-06-01/2"),
            lambda: titre_mercd.DATA_VERSION,
            lambda: titre_mercd.rome("D1408"),
        ]

        def thread(i):
            barrier.wait()
            uses[i % len(uses)]()
            seen[i] = (titre_mercd.versions(), titre_mercd.find_block("2011-06-01/2"))

        threads = [threading.Thread(target=thread, args=(i,)) for i in range({THREADS})]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(counted) == 1, counted
        assert all(s is not None for s in seen), "a thread failed"
        assert all(a is b for s in seen for a, b in zip(seen[0], s)), "different objects"
        print("ok")
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok"
