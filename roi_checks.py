"""Argument checking for every RoI operator in the course: one home, public names.

``roi_utils``, ``roi_speed`` and the loop references in ``roi_loops`` all funnel their inputs
through these functions, so the same bad input gets the same error everywhere: a ``TypeError``
when the kind of value is wrong (a string, a bool where a number is meant), a ``ValueError`` when
the value is of the right kind but out of its range, each naming the argument and what was wrong.
No check modifies its input; a check that converts returns a new array (or the input itself when
it already has the right dtype, for the read-only ``data``).

``roi_utils`` keeps the old private names (``_check_data`` and so on) as aliases of these.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "MAX_SCALED_COORDINATE",
    "check_bool",
    "check_data",
    "check_int",
    "check_map_shape",
    "check_out_grad",
    "check_pooled_size",
    "check_roi_row",
    "check_rois",
    "check_scale",
    "numeric_array",
]

MAX_SCALED_COORDINATE = 2.0**24
"""Box corners times ``spatial_scale`` must stay below this in magnitude.

Past 2**24 float32 can no longer hold whole numbers exactly and mxnet's int
conversions overflow; such a box is refused with a ``ValueError``."""

_F32 = np.float32


def numeric_array(value, name: str) -> np.ndarray:
    """``value`` as an ndarray of real numbers (ints or floats; bools, complex, strings and ragged
    lists refused).

    Raises
    ------
    TypeError
        naming ``name``, when ``value`` is not an array of real numbers.

    Examples
    --------
    >>> numeric_array([[1, 2]], "rois").dtype.kind
    'i'
    >>> numeric_array("abc", "rois")
    Traceback (most recent call last):
    TypeError: rois must hold real numbers (int or float); got dtype <U3
    """
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged nested lists and the like
        raise TypeError(f"{name} must be an array of real numbers; {error}") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers (int or float); got dtype {array.dtype}")
    return array


def check_data(data, name: str = "data") -> np.ndarray:
    """The NCHW map as a float32 array: 4-D, no empty dimension (a new array when a conversion
    happens, else ``data`` itself, which no operator writes to).

    Examples
    --------
    >>> check_data(np.zeros((1, 1, 2, 3))).dtype
    dtype('float32')
    >>> check_data(np.zeros((2, 3)))
    Traceback (most recent call last):
    ValueError: data must be 4-D (batch, channels, height, width); got shape (2, 3)
    """
    array = numeric_array(data, name)
    if array.ndim != 4:
        raise ValueError(f"{name} must be 4-D (batch, channels, height, width); got shape {array.shape}")
    if 0 in array.shape:
        raise ValueError(f"{name} must have no empty dimension; got shape {array.shape}")
    return array.astype(_F32, copy=False)


def check_int(value, name: str, minimum: int | None = None) -> int:
    """``value`` as a Python ``int`` (any integral type but bool), at least ``minimum`` if given.

    Examples
    --------
    >>> check_int(np.int64(3), "sample_ratio")
    3
    >>> check_int(0, "pooled_size", 1)
    Traceback (most recent call last):
    ValueError: pooled_size must be at least 1; got 0
    >>> check_int(2.0, "sample_ratio")
    Traceback (most recent call last):
    TypeError: sample_ratio must be an integer; got 2.0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}")
    return value


def check_pooled_size(pooled_size) -> tuple[int, int]:
    """``n`` or ``(PH, PW)``, each a whole number >= 1, as the pair ``(PH, PW)`` (rows first).

    Examples
    --------
    >>> check_pooled_size(2), check_pooled_size((1, 3))
    ((2, 2), (1, 3))
    """
    if isinstance(pooled_size, (tuple, list, np.ndarray)):
        if len(pooled_size) != 2:
            raise ValueError(f"pooled_size must be an int or a pair (PH, PW); got {pooled_size!r}")
        ph, pw = pooled_size
        return (
            check_int(ph, "pooled_size[0]", 1),
            check_int(pw, "pooled_size[1]", 1),
        )
    n = check_int(pooled_size, "pooled_size", 1)
    return n, n


def check_scale(spatial_scale) -> np.float32:
    """``spatial_scale`` as float32, in (0, 1] (mxnet declares both operators' scale there).

    Examples
    --------
    >>> check_scale(1 / 16)
    0.0625
    >>> check_scale(2)
    Traceback (most recent call last):
    ValueError: spatial_scale must be at most 1 (a map is never finer than the image); got 2
    """
    if isinstance(spatial_scale, (bool, np.bool_)) or not isinstance(spatial_scale, numbers.Real):
        raise TypeError(f"spatial_scale must be a real number; got {spatial_scale!r}")
    scale = _F32(spatial_scale)
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"spatial_scale must be a finite number > 0 (as float32); got {spatial_scale!r}")
    if scale > 1:
        raise ValueError(
            f"spatial_scale must be at most 1 (a map is never finer than the image); got {spatial_scale!r}"
        )
    return scale


def check_bool(value, name: str) -> bool:
    """``value`` as a ``bool``: only ``True``/``False`` (Python's or numpy's), never 0 or 1.

    Examples
    --------
    >>> check_bool(np.True_, "aligned")
    True
    >>> check_bool(1, "aligned")
    Traceback (most recent call last):
    TypeError: aligned must be True or False; got 1
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def check_rois(
    rois, batch_size: int, scale: np.float32, allow_negative_batch: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``rois``, shape (R, 5), rows ``[batch_index, x1, y1, x2, y2]``; return a fresh
    float32 copy of the rows (mxnet stores boxes as float32) and the int64 batch indices.

    Every entry must be finite in float32; a batch index must be whole and name an image of
    ``data`` (``0 .. batch_size - 1``), or be negative where ``allow_negative_batch`` (RoIAlign's
    "skip this box"); a corner times ``scale`` must stay below ``MAX_SCALED_COORDINATE``.

    Examples
    --------
    >>> rows, batch = check_rois([[0, 1, 2, 3, 4]], 1, np.float32(1))
    >>> rows.dtype, batch.tolist()
    (dtype('float32'), [0])
    >>> check_rois([[1, 1, 2, 3, 4]], 1, np.float32(1))
    Traceback (most recent call last):
    ValueError: rois[0, 0] (batch index) is 1, but data has 1 image(s) (0..0)
    """
    array = numeric_array(rois, "rois")
    if array.ndim != 2 or array.shape[1] != 5:
        raise ValueError(
            "rois must be 2-D of shape (R, 5), rows [batch_index, x1, y1, x2, y2]; "
            f"got shape {array.shape} (for one box write [[b, x1, y1, x2, y2]])"
        )
    rows = array.astype(_F32)  # always a fresh array
    bad = ~np.isfinite(rows)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"rois[{i}, {j}] is {array[i, j]!r}; every entry must be finite in float32")
    batch = rows[:, 0]
    fractional = batch != np.floor(batch)
    if fractional.any():
        i = int(np.argmax(fractional))
        raise ValueError(f"rois[{i}, 0] (batch index) is {batch[i]!r}, not a whole number")
    too_big = batch >= batch_size
    too_small = batch < 0 if not allow_negative_batch else np.zeros_like(too_big)
    out_of_range = too_big | too_small
    if out_of_range.any():
        i = int(np.argmax(out_of_range))
        allowed = "" if not allow_negative_batch else " (or negative, to skip the box)"
        raise ValueError(
            f"rois[{i}, 0] (batch index) is {int(batch[i])}, but data has {batch_size} "
            f"image(s) (0..{batch_size - 1}){allowed}"
        )
    scaled = np.abs(rows[:, 1:] * scale)
    far = scaled >= MAX_SCALED_COORDINATE
    if far.any():
        i, j = np.argwhere(far)[0]
        raise ValueError(
            f"rois[{i}, {j + 1}] times spatial_scale is {scaled[i, j]:g}; corners must stay "
            f"within +-{MAX_SCALED_COORDINATE:g} map cells"
        )
    return rows, batch.astype(np.int64)


def check_roi_row(roi) -> np.ndarray:
    """One box ``[batch_index, x1, y1, x2, y2]`` as float32, every entry finite (the batch index
    is not checked against any map).

    Examples
    --------
    >>> check_roi_row([0, 1, 1, 2, 2]).tolist()
    [0.0, 1.0, 1.0, 2.0, 2.0]
    """
    array = numeric_array(roi, "roi")
    if array.shape != (5,):
        raise ValueError(f"roi must be one row [batch_index, x1, y1, x2, y2]; got shape {array.shape}")
    row = array.astype(_F32)
    if not np.isfinite(row).all():
        raise ValueError(f"roi must be finite in float32; got {array.tolist()}")
    return row


def check_map_shape(map_shape) -> tuple[int, int]:
    """``(height, width)`` of a map, each a whole number >= 1.

    Examples
    --------
    >>> check_map_shape([4, 6])
    (4, 6)
    """
    if not isinstance(map_shape, (tuple, list)) or len(map_shape) != 2:
        raise TypeError(f"map_shape must be a pair (height, width); got {map_shape!r}")
    return (
        check_int(map_shape[0], "map_shape[0] (height)", 1),
        check_int(map_shape[1], "map_shape[1] (width)", 1),
    )


def check_out_grad(out_grad, expected: tuple[int, ...]) -> np.ndarray:
    """The upstream gradient as float32, of exactly the forward output's shape ``expected``.

    Examples
    --------
    >>> check_out_grad(np.ones((1, 1, 2, 2)), (1, 1, 2, 2)).dtype
    dtype('float32')
    >>> check_out_grad(np.ones((1, 1, 2)), (1, 1, 2, 2))
    Traceback (most recent call last):
    ValueError: out_grad must have the forward output's shape (1, 1, 2, 2); got (1, 1, 2)
    """
    array = numeric_array(out_grad, "out_grad")
    if array.shape != expected:
        raise ValueError(f"out_grad must have the forward output's shape {expected}; got {array.shape}")
    return array.astype(_F32, copy=False)
