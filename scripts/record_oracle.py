"""Record mxnet 1.9.1's outputs so comparisons run where mxnet cannot be installed.

    python scripts/record_oracle.py            # seeded test cases + every notebook
    python scripts/record_oracle.py --cases    # only the seeded test cases (and roi_oracle's examples)
    python scripts/record_oracle.py --notebooks notebooks/03_sppnet.ipynb

Needs mxnet. Every call the notebooks make through ``roi_oracle.mxnet_output``
is logged while they run, then each logged call is run on mxnet and stored in
``data/mxnet_recorded.npz`` (merged with what is there, under a file lock, so
several recordings may run at once).
"""

from __future__ import annotations

import fcntl
import itertools
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import oracle_cases  # noqa: E402
import recordings  # noqa: E402
from notebook_runner import execute  # noqa: E402

import roi_oracle  # noqa: E402


def record_cases(log: Path) -> int:
    count = 0
    for case in itertools.chain(oracle_cases.generate(), oracle_cases.generate_family()):
        roi_oracle.mxnet_output(case["op"], case["data"], case["rois"], case["out_grad"], **case["params"])
        count += 1
    return count


def record_doctests() -> int:
    """Run roi_oracle's own examples live, so they pass from the recording where mxnet is missing."""
    import doctest

    result = doctest.testmod(roi_oracle)
    if result.failed:
        raise SystemExit("roi_oracle's doctest failed with mxnet live; fix it before recording")
    return result.attempted


def record_notebooks(paths: list[Path], log: Path) -> None:
    for path in paths:
        execute(path.resolve(), extra_env={roi_oracle.RECORD_ENV: str(log)})
        print(f"ran {path}")


def store(log: Path) -> int:
    entries = recordings.read_log(log)
    lock_path = roi_oracle.RECORDED_PATH.with_suffix(".lock")
    roi_oracle.RECORDED_PATH.parent.mkdir(exist_ok=True)
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        arrays = recordings.load_store(roi_oracle.RECORDED_PATH)
        for key, entry in entries.items():
            params = entry["params"]
            value = roi_oracle._live(entry["op"], entry["data"], entry["rois"], entry["out_grad"], params)
            arrays[f"{key}/op"] = np.array(entry["op"])
            arrays[f"{key}/params"] = np.array(json.dumps(params, sort_keys=True))
            arrays[f"{key}/data"] = np.asarray(entry["data"], np.float32)
            for part in ("rois", "out_grad"):
                if entry[part] is not None:
                    arrays[f"{key}/{part}"] = np.asarray(entry[part], np.float32)
            arrays[f"{key}/out"] = value
        recordings.write_store(roi_oracle.RECORDED_PATH, arrays)
    return len(entries)


def main() -> int:
    args = recordings.parse_arguments(__doc__, "all")
    if not roi_oracle.mxnet_available():
        print("mxnet is not importable here; recording needs it (pip install mxnet==1.9.1 numpy==1.23.5)")
        return 1
    both = not args.cases and args.notebooks is None
    with recordings.call_log(roi_oracle.RECORD_ENV) as log:
        if args.cases or both:
            print(f"recorded {record_cases(log)} seeded cases")
            print(f"ran {record_doctests()} examples of roi_oracle's docstring")
        if args.notebooks is not None or both:
            paths = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
            record_notebooks(paths, log)
        stored = store(log)
    print(f"stored {stored} calls in {roi_oracle.RECORDED_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
