"""Record ONNX Runtime's outputs so chapter 7's comparisons run where it is not installed.

    python scripts/record_onnx.py              # seeded cases + roi_oracle's examples + chapter 7
    python scripts/record_onnx.py --cases      # only the seeded cases and the examples
    python scripts/record_onnx.py --notebooks notebooks/07_frameworks.ipynb

Needs onnx and onnxruntime. Every call made through ``roi_oracle.onnxruntime_output``
is logged while the cases and notebooks run, then run again on ONNX Runtime and stored
(its output, or its refusal message) in ``data/onnxruntime_recorded.npz``, merged with
what is there.
"""

from __future__ import annotations

import doctest
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import framework_cases  # noqa: E402
import recordings  # noqa: E402
from notebook_runner import execute  # noqa: E402

import roi_oracle  # noqa: E402


def record_cases() -> int:
    count = 0
    for case in framework_cases.onnx_cases():
        try:
            roi_oracle.onnxruntime_output(
                case["op"],
                case["X"],
                case["rois"],
                case["batch_indices"],
                opset=case["opset"],
                **case["attributes"],
            )
        except roi_oracle.OnnxRuntimeRejected:
            pass  # recorded as a refusal
        count += 1
    return count


def store(log: Path) -> int:
    entries = recordings.read_log(log)
    arrays = recordings.load_store(roi_oracle.ORT_RECORDED_PATH)
    for key, entry in entries.items():
        inputs = {"X": np.asarray(entry["X"], np.float32), "rois": np.asarray(entry["rois"], np.float32)}
        if "batch_indices" in entry:
            inputs["batch_indices"] = np.asarray(entry["batch_indices"], np.int64)
        for part in ("out", "error"):
            arrays.pop(f"{key}/{part}", None)
        try:
            arrays[f"{key}/out"] = roi_oracle._ort_live(
                entry["op"], entry["opset"], entry["attributes"], inputs
            )
        except roi_oracle.OnnxRuntimeRejected as error:
            arrays[f"{key}/error"] = np.array(str(error))
        arrays[f"{key}/op"] = np.array(entry["op"])
        params = {"opset": entry["opset"], "attributes": entry["attributes"]}
        arrays[f"{key}/params"] = np.array(json.dumps(params, sort_keys=True))
        for name, array in inputs.items():
            arrays[f"{key}/{name}"] = array
    recordings.write_store(roi_oracle.ORT_RECORDED_PATH, arrays)
    return len(entries)


def main() -> int:
    args = recordings.parse_arguments(__doc__, "chapter 7")
    if not roi_oracle.onnxruntime_available():
        print("onnxruntime is not importable here; recording needs it (pip install onnx onnxruntime)")
        return 1
    both = not args.cases and args.notebooks is None
    with recordings.call_log(roi_oracle.ORT_RECORD_ENV) as log:
        if args.cases or both:
            print(f"ran {record_cases()} seeded cases")
            result = doctest.testmod(roi_oracle)
            print(f"ran {result.attempted} examples of roi_oracle ({result.failed} failed)")
        if args.notebooks is not None or both:
            for path in args.notebooks or sorted((ROOT / "notebooks").glob("07_*.ipynb")):
                execute(path.resolve(), extra_env={roi_oracle.ORT_RECORD_ENV: str(log)})
                print(f"ran {path}")
        stored = store(log)
    print(f"stored {stored} calls in {roi_oracle.ORT_RECORDED_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
