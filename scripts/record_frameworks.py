"""Record torchvision's and TensorFlow's outputs on chapter 7's seeded cases (run by hand).

    /work/venv_torch/bin/python scripts/record_frameworks.py torchvision
    /work/venv_tf/bin/python scripts/record_frameworks.py tensorflow

Each framework lives in its own virtual environment (torch 2.14 + torchvision 0.29 on
Python 3.11; tensorflow-cpu 2.21 on Python 3.12), never in the course's. The script
imports only numpy, the framework and ``scripts/framework_cases.py``, calls the real
operator on every case and stores inputs, parameters and outputs (or the framework's
error message) in ``data/frameworks_recorded.npz`` under ``torchvision/N/...`` or
``tensorflow/N/...``, replacing that framework's earlier entries. The tests read the
file; they never import torch or tensorflow.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import framework_cases  # noqa: E402
import recordings  # noqa: E402

RECORDED = ROOT / "data" / "frameworks_recorded.npz"


def torchvision_entries():
    import torch
    import torchvision

    version = torchvision.__version__
    for case in framework_cases.torchvision_cases():
        x, boxes = torch.from_numpy(case["input"]), torch.from_numpy(case["boxes"])
        params = case["params"]
        op = torchvision.ops.roi_align if case["fn"] == "roi_align" else torchvision.ops.roi_pool
        try:
            out, error = op(x, boxes, **{**params, "output_size": tuple(params["output_size"])}).numpy(), None
        except Exception as problem:  # the framework's own refusal, kept as its message
            out, error = None, f"{type(problem).__name__}: {problem}"
        arrays = {"input": case["input"], "boxes": case["boxes"]}
        yield case["fn"], params, arrays, out, error, f"torchvision {version}, torch {torch.__version__}"


def tensorflow_entries():
    import tensorflow as tf

    for case in framework_cases.tensorflow_cases():
        params = dict(case["params"])
        pool = params.pop("maxpool", None)
        arrays = {"image": case["image"], "boxes": case["boxes"], "box_indices": case["box_indices"]}
        try:
            crops = tf.image.crop_and_resize(
                case["image"],
                case["boxes"],
                case["box_indices"],
                params["crop_size"],
                method=params["method"],
                extrapolation_value=params["extrapolation_value"],
            )
            if pool:
                crops = tf.nn.max_pool2d(crops, pool, pool, "VALID")
            out, error = crops.numpy(), None
        except Exception as problem:
            out, error = None, f"{type(problem).__name__}: {problem}"
        fn = "object_detection_crop" if pool else "crop_and_resize"
        yield fn, case["params"], arrays, out, error, f"tensorflow {tf.__version__}"


def main() -> int:
    if len(sys.argv) != 2 or sys.argv[1] not in ("torchvision", "tensorflow"):
        print(__doc__)
        return 2
    framework = sys.argv[1]
    entries = torchvision_entries() if framework == "torchvision" else tensorflow_entries()
    arrays = recordings.load_store(RECORDED, keep=lambda name: not name.startswith(framework + "/"))
    count = 0
    for i, (fn, params, inputs, out, error, version) in enumerate(entries):
        prefix = f"{framework}/{i:04d}"
        arrays[f"{prefix}/fn"] = np.array(fn)
        arrays[f"{prefix}/params"] = np.array(json.dumps(params, sort_keys=True))
        arrays[f"{prefix}/version"] = np.array(version)
        for name, value in inputs.items():
            arrays[f"{prefix}/{name}"] = value
        if error is None:
            arrays[f"{prefix}/out"] = out
        else:
            arrays[f"{prefix}/error"] = np.array(error)
        count += 1
    recordings.write_store(RECORDED, arrays)
    print(f"stored {count} {framework} calls in {RECORDED.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
