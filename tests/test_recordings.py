"""The recording scripts' shared store (``scripts/recordings.py``): log, merge, atomic write."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

import recordings  # noqa: E402


def test_a_key_logged_twice_keeps_its_last_entry(tmp_path):
    log = tmp_path / "calls.jsonl"
    lines = [{"key": "a", "v": 1}, {"key": "b", "v": 2}, {"key": "a", "v": 3}]
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert recordings.read_log(log) == {"a": {"key": "a", "v": 3}, "b": {"key": "b", "v": 2}}


def test_the_store_round_trips_and_merges(tmp_path):
    path = tmp_path / "data" / "store.npz"
    assert recordings.load_store(path) == {}  # no file yet
    recordings.write_store(path, {"x/out": np.arange(3.0), "y/out": np.array("refused")})
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["store.npz"]  # no temporary file left
    kept = recordings.load_store(path, keep=lambda name: name.startswith("x/"))
    assert list(kept) == ["x/out"] and kept["x/out"].tolist() == [0.0, 1.0, 2.0]
    recordings.write_store(path, {**recordings.load_store(path), "z/out": np.ones(2)})
    assert sorted(recordings.load_store(path)) == ["x/out", "y/out", "z/out"]
