"""mxnet as the oracle: its live answer when mxnet imports, its recorded answer otherwise.

The course compares ``roi_utils`` with mxnet 1.9.1 in notebooks and tests. mxnet
only installs on x86-64 Linux/macOS/Windows with Python <= 3.11 and numpy < 1.24,
so every call made here is also recorded (by ``scripts/record_oracle.py``, which
runs with mxnet live) in ``data/mxnet_recorded.npz``, keyed by a hash of the
operator, its inputs and its parameters. Without mxnet the same call returns the
recorded output, and ``source`` says so.

>>> import numpy as np
>>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
>>> answer = mxnet_output("roi_pool", x, [[0, 0, 0, 2, 2]], pooled_size=(2, 2))
>>> answer.value[0, 0].tolist()
[[5.0, 6.0], [9.0, 10.0]]
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

RECORDED_PATH = Path(__file__).resolve().parent / "data" / "mxnet_recorded.npz"
HIDE_ENV = "ROI_ORACLE_HIDE_MXNET"
"""Set to 1 to behave as if mxnet were not installed (tests run notebooks both ways)."""

RECORD_ENV = "ROI_ORACLE_RECORD"
"""When this environment variable names a file, every live call is appended to it (JSON lines)."""

OPERATORS = ("roi_pool", "roi_align", "roi_pool_backward", "roi_align_backward", "spp")

_DEFAULTS = {
    "roi_pool": {"spatial_scale": 1.0},
    "roi_align": {"spatial_scale": 1.0, "sample_ratio": -1, "aligned": False},
    "spp": {"levels": (4, 2, 1)},
}
_DEFAULTS["roi_pool_backward"] = _DEFAULTS["roi_pool"]
_DEFAULTS["roi_align_backward"] = _DEFAULTS["roi_align"]

# Chapter 8 (roi_family): contrib.PSROIPooling, contrib.ROIAlign(position_sensitive=True) and its
# backward, contrib.RROIAlign (rows [batch, cx, cy, w, h, angle in degrees]; mxnet has no backward).
FAMILY_OPERATORS = (
    "ps_roi_pool",
    "ps_roi_pool_backward",
    "ps_roi_align",
    "ps_roi_align_backward",
    "rotated_roi_align",
)
OPERATORS += FAMILY_OPERATORS
_DEFAULTS["ps_roi_pool"] = {"spatial_scale": 1.0, "output_dim": 1, "group_size": 0}
_DEFAULTS["ps_roi_pool_backward"] = _DEFAULTS["ps_roi_pool"]
_DEFAULTS["ps_roi_align"] = _DEFAULTS["roi_align"]
_DEFAULTS["ps_roi_align_backward"] = _DEFAULTS["roi_align"]
_DEFAULTS["rotated_roi_align"] = {"spatial_scale": 1.0, "sampling_ratio": -1}


@dataclass(frozen=True)
class OracleAnswer:
    """mxnet's output for one call and where it came from (live or recorded)."""

    value: np.ndarray
    live: bool

    @property
    def source(self) -> str:
        return "mxnet 1.9.1, live" if self.live else "mxnet 1.9.1, recorded (mxnet not installed here)"


@lru_cache(maxsize=1)
def mxnet_module():
    """The ``mxnet`` module, or None when it cannot be imported here."""
    if os.environ.get(HIDE_ENV) == "1":
        return None
    try:
        import mxnet
    except Exception:  # ImportError, or numpy >= 1.24 breaking mxnet's import
        return None
    return mxnet


def mxnet_available() -> bool:
    return mxnet_module() is not None


def status_line() -> str:
    """One line for a notebook: is the oracle live or recorded?"""
    mx = mxnet_module()
    if mx is not None:
        return f"mxnet {mx.__version__} is installed: comparisons run against it live."
    return (
        "mxnet is not installed here: comparisons use mxnet 1.9.1 outputs recorded in "
        "data/mxnet_recorded.npz by scripts/record_oracle.py."
    )


def _normalise(op: str, params: dict) -> dict:
    if op not in OPERATORS:
        raise ValueError(f"op must be one of {OPERATORS}; got {op!r}")
    merged = {**_DEFAULTS[op], **params}
    unknown = set(merged) - set(_DEFAULTS[op]) - {"pooled_size"}
    if unknown:
        raise TypeError(f"unexpected parameters for {op}: {sorted(unknown)}")
    out = {}
    for key, value in sorted(merged.items()):
        if op.startswith("ps_roi_pool") and key == "pooled_size":  # PSROIPooling's bins are k x k: one int
            value = int(value)
        elif key in ("output_dim", "group_size", "sampling_ratio"):
            value = int(value)
        elif key in ("pooled_size", "levels"):
            value = (value, value) if isinstance(value, (int, np.integer)) and key == "pooled_size" else value
            value = [int(v) for v in value]
        elif key == "aligned":
            value = bool(value)
        elif key == "sample_ratio":
            value = int(value)
        else:
            value = float(np.float32(value))
        out[key] = value
    return out


def call_key(op: str, data, rois=None, out_grad=None, **params) -> str:
    """A stable hash of one call: operator, float32 inputs and parameters."""
    digest = hashlib.sha256(op.encode())
    for array in (data, rois, out_grad):
        if array is None:
            digest.update(b"none")
            continue
        a = np.ascontiguousarray(np.asarray(array, dtype=np.float32))
        digest.update(repr(a.shape).encode())
        digest.update(a.tobytes())
    digest.update(json.dumps(_normalise(op, params), sort_keys=True).encode())
    return digest.hexdigest()[:32]


def _live(op: str, data, rois, out_grad, params: dict) -> np.ndarray:
    mx = mxnet_module()
    nd = mx.nd
    x = nd.array(np.asarray(data, np.float32))
    if op in FAMILY_OPERATORS:
        return _live_family(mx, op, x, rois, out_grad, params)
    if op == "spp":
        n, _, h, w = x.shape
        boxes = nd.array([[b, 0, 0, w - 1, h - 1] for b in range(n)])
        parts = [
            nd.ROIPooling(x, boxes, pooled_size=(k, k), spatial_scale=1.0).reshape((n, -1))
            for k in params["levels"]
        ]
        return nd.concat(*parts, dim=1).asnumpy()
    boxes = nd.array(np.asarray(rois, np.float32))
    kwargs = {k: v for k, v in params.items()}
    kwargs["pooled_size"] = tuple(kwargs["pooled_size"])
    forward = nd.ROIPooling if op.startswith("roi_pool") else nd.contrib.ROIAlign
    if not op.endswith("backward"):
        return forward(x, boxes, **kwargs).asnumpy()
    x.attach_grad()
    with mx.autograd.record():
        y = forward(x, boxes, **kwargs)
    y.backward(nd.array(np.asarray(out_grad, np.float32)))
    return x.grad.asnumpy()


def _live_family(mx, op: str, x, rois, out_grad, params: dict) -> np.ndarray:
    nd = mx.nd
    boxes = nd.array(np.asarray(rois, np.float32))
    if op == "ps_roi_pool":
        return nd.contrib.PSROIPooling(x, boxes, **params).asnumpy()
    if op == "ps_roi_pool_backward":
        x.attach_grad()
        with mx.autograd.record():
            y = nd.contrib.PSROIPooling(x, boxes, **params)
        y.backward(nd.array(np.asarray(out_grad, np.float32)))
        return x.grad.asnumpy()
    kwargs = {**params, "pooled_size": tuple(params["pooled_size"])}
    if op == "rotated_roi_align":
        return nd.contrib.RROIAlign(x, boxes, **kwargs).asnumpy()
    kwargs["position_sensitive"] = True
    if op == "ps_roi_align":
        return nd.contrib.ROIAlign(x, boxes, **kwargs).asnumpy()
    x.attach_grad()
    with mx.autograd.record():
        y = nd.contrib.ROIAlign(x, boxes, **kwargs)
    y.backward(nd.array(np.asarray(out_grad, np.float32)))
    return x.grad.asnumpy()


@lru_cache(maxsize=1)
def recorded_calls() -> dict[str, dict]:
    """Every recorded call: key -> {"op", "params", "data", "rois", "out_grad", "out"}.

    The archive stores entries as ``KEY/part``; absent inputs are simply missing.
    """
    if not RECORDED_PATH.exists():
        return {}
    calls: dict[str, dict] = {}
    with np.load(RECORDED_PATH) as archive:
        for name in archive.files:
            key, part = name.split("/")
            value = archive[name]
            if part in ("op", "params"):
                value = str(value)
                value = json.loads(value) if part == "params" else value
            calls.setdefault(key, {"rois": None, "out_grad": None})[part] = value
    return calls


def mxnet_output(
    op: str, data, rois=None, out_grad=None, *, prefer_recorded: bool = False, **params
) -> OracleAnswer:
    """mxnet's answer for ``op`` on these inputs: live if possible, else recorded.

    Parameters
    ----------
    op : str
        One of ``OPERATORS``; the names and parameters are those of ``roi_utils``.
    data, rois, out_grad : arrays
        As for the ``roi_utils`` function of the same name (``out_grad`` for the
        backward passes only).
    prefer_recorded : bool
        Use the recording even when mxnet is installed (tests use this).
    **params
        ``pooled_size``, ``spatial_scale``, ``sample_ratio``, ``aligned`` or ``levels``.

    Raises
    ------
    LookupError
        mxnet is not installed and this exact call was never recorded.
    """
    key = call_key(op, data, rois, out_grad, **params)
    if mxnet_available() and not prefer_recorded:
        value = _live(op, data, rois, out_grad, _normalise(op, params))
        _append_record(key, op, data, rois, out_grad, params)
        return OracleAnswer(value, live=True)
    recorded = recorded_calls()
    if key not in recorded:
        raise LookupError(
            f"no recorded mxnet output for this {op} call (key {key}); run "
            "scripts/record_oracle.py on a machine with mxnet to record it"
        )
    return OracleAnswer(recorded[key]["out"], live=False)


def _append_record(key, op, data, rois, out_grad, params) -> None:
    """While recording, remember the call so the script can store mxnet's output."""
    target = os.environ.get(RECORD_ENV)
    if not target:
        return
    entry = {
        "key": key,
        "op": op,
        "data": np.asarray(data, np.float32).tolist(),
        "rois": None if rois is None else np.asarray(rois, np.float32).tolist(),
        "out_grad": None if out_grad is None else np.asarray(out_grad, np.float32).tolist(),
        "params": _normalise(op, params),
    }
    with open(target, "a") as log:
        log.write(json.dumps(entry) + "\n")


# ---------------------------------------------------------------------------
# ONNX Runtime: the second live oracle (chapter 7)
# ---------------------------------------------------------------------------
#
# One-node ONNX models (RoiAlign, MaxRoiPool) are built with onnx.helper on the fly and
# run on ONNX Runtime's CPU provider. As for mxnet, every call is keyed by a hash of its
# inputs and attributes; scripts/record_onnx.py stores ONNX Runtime's answers (or its
# refusals) in data/onnxruntime_recorded.npz for machines without it.

ORT_RECORDED_PATH = Path(__file__).resolve().parent / "data" / "onnxruntime_recorded.npz"
ORT_HIDE_ENV = "ROI_ORACLE_HIDE_ORT"
"""Set to 1 to behave as if onnxruntime were not installed (tests run notebooks both ways)."""

ORT_RECORD_ENV = "ROI_ORACLE_RECORD_ORT"
"""When this environment variable names a file, every live ONNX Runtime call is appended to it."""

ORT_OPERATORS = ("RoiAlign", "MaxRoiPool")
ORT_OPSETS = {"RoiAlign": (16, 10, 11), "MaxRoiPool": (16,)}
"""Opset stamps the oracle builds: RoiAlign 16 (coordinate_transformation_mode) or 10 and 11 (before
it: RoiAlign-10, always output_half_pixel); MaxRoiPool 16 (ONNX Runtime has none for opset 22)."""

_ORT_DEFAULTS = {
    "RoiAlign": {
        "mode": "avg",
        "output_height": 1,
        "output_width": 1,
        "sampling_ratio": 0,
        "spatial_scale": 1.0,
        "coordinate_transformation_mode": "half_pixel",
    },
    "MaxRoiPool": {"spatial_scale": 1.0},
}


class OnnxRuntimeRejected(RuntimeError):
    """ONNX Runtime refused the call (its message is kept, live or recorded)."""


@dataclass(frozen=True)
class OnnxRuntimeAnswer:
    """ONNX Runtime's output for one call and where it came from (live or recorded)."""

    value: np.ndarray
    live: bool

    @property
    def source(self) -> str:
        if self.live:
            return f"ONNX Runtime {onnxruntime_module().__version__}, live"
        return "ONNX Runtime 1.32, recorded (onnxruntime not installed here)"


@lru_cache(maxsize=1)
def onnxruntime_module():
    """The ``onnxruntime`` module (with ``onnx`` importable), or None."""
    if os.environ.get(ORT_HIDE_ENV) == "1":
        return None
    try:
        import onnx  # noqa: F401  (the models are built with onnx.helper)
        import onnxruntime
    except Exception:
        return None
    onnxruntime.set_default_logger_severity(4)  # errors surface as exceptions; RoiAlign's max-mode warning
    return onnxruntime


def onnxruntime_available() -> bool:
    return onnxruntime_module() is not None


def onnxruntime_status_line() -> str:
    """One line for a notebook: is ONNX Runtime live or recorded?"""
    ort = onnxruntime_module()
    if ort is not None:
        return f"onnxruntime {ort.__version__} is installed: ONNX comparisons run against it live."
    return (
        "onnxruntime is not installed here: ONNX comparisons use ONNX Runtime 1.32 outputs recorded in "
        "data/onnxruntime_recorded.npz by scripts/record_onnx.py."
    )


def _ort_attributes(op: str, opset: int | None, attributes: dict) -> tuple[int, dict]:
    if op not in ORT_OPERATORS:
        raise ValueError(f"op must be one of {ORT_OPERATORS}; got {op!r}")
    opset = ORT_OPSETS[op][0] if opset is None else opset
    if opset not in ORT_OPSETS[op]:
        raise ValueError(f"opset for {op} must be one of {ORT_OPSETS[op]}; got {opset!r}")
    defaults = dict(_ORT_DEFAULTS[op])
    if op == "RoiAlign" and opset < 16:
        defaults.pop("coordinate_transformation_mode")
    allowed = set(defaults) | ({"pooled_shape"} if op == "MaxRoiPool" else set())
    unknown = set(attributes) - allowed
    if unknown:
        raise TypeError(f"unexpected attributes for {op} (opset {opset}): {sorted(unknown)}")
    if op == "MaxRoiPool" and "pooled_shape" not in attributes:
        raise TypeError("MaxRoiPool needs pooled_shape=(PH, PW)")
    out = {}
    for key, value in sorted({**defaults, **attributes}.items()):
        if key == "pooled_shape":
            value = [int(v) for v in ((value, value) if isinstance(value, (int, np.integer)) else value)]
        elif isinstance(defaults.get(key), str):
            value = str(value)
        elif key == "spatial_scale":
            value = float(np.float32(value))
        else:
            value = int(value)
        out[key] = value
    return opset, out


def _ort_inputs(op: str, X, rois, batch_indices) -> dict[str, np.ndarray]:
    inputs = {
        "X": np.ascontiguousarray(np.asarray(X, np.float32)),
        "rois": np.ascontiguousarray(np.asarray(rois, np.float32)),
    }
    if op == "RoiAlign":
        inputs["batch_indices"] = np.ascontiguousarray(np.asarray(batch_indices, np.int64))
    return inputs


def onnxruntime_call_key(
    op: str, X, rois, batch_indices=None, *, opset: int | None = None, **attributes
) -> str:
    """A stable hash of one ONNX Runtime call: operator, opset, inputs and attributes."""
    opset, attributes = _ort_attributes(op, opset, attributes)
    digest = hashlib.sha256(f"onnxruntime/{op}/{opset}".encode())
    for name, array in sorted(_ort_inputs(op, X, rois, batch_indices).items()):
        digest.update(name.encode() + repr(array.shape).encode() + array.tobytes())
    digest.update(json.dumps(attributes, sort_keys=True).encode())
    return digest.hexdigest()[:32]


@lru_cache(maxsize=64)
def _ort_session(op: str, opset: int, attributes_json: str):
    """An InferenceSession for a one-node model (cached: building one takes milliseconds)."""
    from onnx import TensorProto, helper

    ort = onnxruntime_module()
    attributes = json.loads(attributes_json)
    names = ["X", "rois", "batch_indices"] if op == "RoiAlign" else ["X", "rois"]
    types = {"X": TensorProto.FLOAT, "rois": TensorProto.FLOAT, "batch_indices": TensorProto.INT64}
    node = helper.make_node(op, names, ["Y"], **attributes)
    graph = helper.make_graph(
        [node],
        f"one_{op}",
        [helper.make_tensor_value_info(n, types[n], None) for n in names],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    options = ort.SessionOptions()
    options.log_severity_level = 4  # refusals arrive as exceptions; the max-mode warning is in the text
    options.intra_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def _ort_live(op: str, opset: int, attributes: dict, inputs: dict) -> np.ndarray:
    ort = onnxruntime_module()
    try:
        session = _ort_session(op, opset, json.dumps(attributes, sort_keys=True))
        return session.run(None, inputs)[0]
    except (
        ort.capi.onnxruntime_pybind11_state.Fail,
        ort.capi.onnxruntime_pybind11_state.InvalidArgument,
        ort.capi.onnxruntime_pybind11_state.RuntimeException,
    ) as error:
        message = str(error).split("Status Message: ")[-1].strip()
        raise OnnxRuntimeRejected(message.split("] ")[-1]) from None


@lru_cache(maxsize=1)
def onnxruntime_recorded_calls() -> dict[str, dict]:
    """Every recorded ONNX Runtime call: key -> {"op", "params", "X", "rois", ..., "out" or "error"}."""
    if not ORT_RECORDED_PATH.exists():
        return {}
    calls: dict[str, dict] = {}
    with np.load(ORT_RECORDED_PATH) as archive:
        for name in archive.files:
            key, part = name.split("/")
            value = archive[name]
            if part in ("op", "params", "error"):
                value = str(value)
                value = json.loads(value) if part == "params" else value
            calls.setdefault(key, {})[part] = value
    return calls


def onnxruntime_output(
    op: str,
    X,
    rois,
    batch_indices=None,
    *,
    opset: int | None = None,
    prefer_recorded: bool = False,
    **attributes,
) -> OnnxRuntimeAnswer:
    """ONNX Runtime's answer for a one-node ``RoiAlign`` or ``MaxRoiPool`` model: live if possible.

    Parameters
    ----------
    op : {"RoiAlign", "MaxRoiPool"}
    X, rois, batch_indices
        The node's inputs as ONNX defines them: ``X`` (N, C, H, W); RoiAlign's ``rois``
        (R, 4) ``[x1, y1, x2, y2]`` with int64 ``batch_indices`` (R,); MaxRoiPool's ``rois``
        (R, 5) ``[batch_index, x1, y1, x2, y2]`` (no ``batch_indices``).
    opset : int, optional
        The model's opset stamp (``ORT_OPSETS``); RoiAlign 16 by default, 10 or 11 for the
        form without ``coordinate_transformation_mode``.
    prefer_recorded : bool
        Use the recording even when ONNX Runtime is installed (tests use this).
    **attributes
        The node's attributes with ONNX's names (``mode``, ``output_height``, ...,
        ``pooled_shape``); omitted ones take ONNX's defaults.

    Raises
    ------
    OnnxRuntimeRejected
        ONNX Runtime refused the call (e.g. a batch index of -1), live or as recorded.
    LookupError
        onnxruntime is not installed and this exact call was never recorded.

    Examples
    --------
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> answer = onnxruntime_output("RoiAlign", x, [[0, 0, 2, 2]], [0], output_height=2,
    ...                             output_width=2, sampling_ratio=2)
    >>> answer.value[0, 0].tolist()   # half_pixel, ONNX's default since opset 16
    [[0.625, 1.5], [4.125, 5.0]]
    """
    key = onnxruntime_call_key(op, X, rois, batch_indices, opset=opset, **attributes)
    opset, normalised = _ort_attributes(op, opset, attributes)
    inputs = _ort_inputs(op, X, rois, batch_indices)
    if onnxruntime_available() and not prefer_recorded:
        _append_ort_record(key, op, opset, normalised, inputs)
        return OnnxRuntimeAnswer(_ort_live(op, opset, normalised, inputs), live=True)
    recorded = onnxruntime_recorded_calls()
    if key not in recorded:
        raise LookupError(
            f"no recorded ONNX Runtime output for this {op} call (key {key}); run "
            "scripts/record_onnx.py on a machine with onnxruntime to record it"
        )
    if "error" in recorded[key]:
        raise OnnxRuntimeRejected(recorded[key]["error"])
    return OnnxRuntimeAnswer(recorded[key]["out"], live=False)


def _append_ort_record(key, op, opset, attributes, inputs) -> None:
    target = os.environ.get(ORT_RECORD_ENV)
    if not target:
        return
    entry = {"key": key, "op": op, "opset": opset, "attributes": attributes}
    entry.update({name: array.tolist() for name, array in inputs.items()})
    with open(target, "a") as log:
        log.write(json.dumps(entry) + "\n")


FRAMEWORKS_RECORDED_PATH = Path(__file__).resolve().parent / "data" / "frameworks_recorded.npz"


@lru_cache(maxsize=2)
def framework_recordings(framework: str) -> tuple[dict, ...]:
    """torchvision's or TensorFlow's outputs on chapter 7's seeded cases, as recorded by
    ``scripts/record_frameworks.py`` (run by hand in each framework's own environment).

    Each entry holds ``fn``, ``params`` (dict), ``version``, the inputs by name, and
    ``out`` or ``error``. Neither framework is ever imported by the course.
    """
    if framework not in ("torchvision", "tensorflow"):
        raise ValueError(f"framework must be 'torchvision' or 'tensorflow'; got {framework!r}")
    if not FRAMEWORKS_RECORDED_PATH.exists():
        return ()
    entries: dict[str, dict] = {}
    with np.load(FRAMEWORKS_RECORDED_PATH) as archive:
        for name in archive.files:
            owner, index, part = name.split("/")
            if owner != framework:
                continue
            value = archive[name]
            if part in ("fn", "params", "version", "error"):
                value = str(value)
                value = json.loads(value) if part == "params" else value
            entries.setdefault(index, {})[part] = value
    return tuple(entries[k] for k in sorted(entries))
