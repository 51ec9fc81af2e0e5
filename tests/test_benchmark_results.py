"""The benchmark's record (`benchmarks/results.py`): a run's figures are kept per release,
commit and machine, and printed beside the newest record of the same machine. A report, never
a timed assert: these tests check the record and the comparison, not any speed."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import pytest

import results

WHEN = dt.datetime(2026, 12, 7, 20, 0, tzinfo=dt.timezone.utc)
LARGE = {"history": 6.39, "site": 49.49, "site_rss": 237.0, "live": 3.17, "pages": 3019.0}


def _rows(table: str) -> list[list[str]]:
    """The body rows of a Markdown table, cell by cell (every row must have five cells)."""
    lines = [line for line in table.splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    assert all(len(row) == 5 for row in cells), cells
    return cells[2:]


def test_a_run_is_compared_with_the_newest_record_of_its_machine(tmp_path: Path) -> None:
    old = results.record("0.2.0", "a" * 40, {"large": LARGE}, WHEN - dt.timedelta(days=30))
    older = results.record(
        "0.1.0", "b" * 40, {"large": {"site": 99.0}}, WHEN - dt.timedelta(days=90)
    )
    elsewhere = {
        **results.record("0.2.0", "c" * 40, {"large": {"site": 1.0}}, WHEN),
        "machine": "x",
    }
    for entry in (old, older, elsewhere):
        results.write(entry, tmp_path)
    (tmp_path / "damaged.json").write_text("{", encoding="utf-8")
    new = results.record("0.3.0", "d" * 40, {"large": {**LARGE, "site": 52.02}}, WHEN)
    assert results.previous(new, tmp_path) == old
    rows = _rows(results.compare(new, results.previous(new, tmp_path)))
    assert ["large", "(d) mkdocs build with trl-cards", "52.02 s", "49.49 s", "1.05x"] in rows
    assert ["large", "peak RSS of (d)", "237 MiB", "237 MiB", "1.00x"] in rows
    assert len(rows) == len(LARGE)  # a figure the run lacks is no row
    # The record itself: one file per release, commit and machine, read back as written.
    path = results.path_for(new, tmp_path)
    assert path.name.startswith("0.3.0-dddddddddddd-")
    results.write(new, tmp_path)
    assert json.loads(path.read_text(encoding="utf-8")) == new


def test_the_first_record_of_a_machine_says_so(tmp_path: Path) -> None:
    new = results.record("0.3.0", "d" * 40, {"large": LARGE}, WHEN)
    assert results.previous(new, tmp_path / "none") is None
    assert "No earlier record of this machine" in results.compare(new, None)
    again = results.record("0.3.0", "d" * 40, {"large": LARGE}, WHEN)
    results.write(again, tmp_path)
    assert results.previous(new, tmp_path) is None  # the same commit is not "before"


def test_a_baseline_build_runs_right_after_each_of_ours() -> None:
    import run  # the benchmark itself

    calls: list[str] = []
    times = {"ours": iter([5.0, 3.0, 4.0]), "theirs": iter([6.0, 7.0, 2.0])}

    def measure(who: str) -> run.Measured:
        calls.append(who)
        return run.Measured(next(times[who]), 0)

    ours, theirs = run._paired(3, lambda: measure("ours"), lambda: measure("theirs"))
    assert calls == ["ours", "theirs"] * 3  # a slow spell of the machine falls on both
    assert (ours.seconds, theirs.seconds if theirs else None) == (3.0, 2.0)
    alone, none = run._paired(2, lambda: run.Measured(1.0, 0), None)
    assert alone.seconds == 1.0 and none is None


def test_a_run_of_other_sizes_adds_to_the_record_of_its_commit(tmp_path: Path) -> None:
    first = results.record("0.3.0", "e" * 40, {"large": LARGE}, WHEN)
    results.write(first, tmp_path)
    huge = {**LARGE, "site": 350.0}
    path = results.write(results.record("0.3.0", "e" * 40, {"huge": huge}, WHEN), tmp_path)
    kept = json.loads(path.read_text(encoding="utf-8"))["sizes"]
    assert kept == {"large": LARGE, "huge": huge}
    path.write_text("not json", encoding="utf-8")  # a damaged record is replaced, not kept
    results.write(first, tmp_path)
    assert json.loads(path.read_text(encoding="utf-8"))["sizes"] == {"large": LARGE}


def test_a_baseline_without_the_plugin_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import run

    with pytest.raises(SystemExit) as stopped:
        run.main(["--sizes", "small", "--work", str(tmp_path), "--baseline", sys.executable + "x"])
    assert stopped.value.code == 2
    assert "cannot import mkdocs-trl-cards" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # no organisation generated, no build run
