"""The explorer contract: a model (validated state -> frozen snapshot) and a view that only draws it.

Every explorer in ``roi_widgets`` is written in two parts, in one module (``pool.py`` is the worked
example to copy).

**The model** (builds no widget and no figure; tested without either):

1. ``State``: a frozen dataclass subclassing :class:`State`, one plain field per control (``int``,
   ``float``, ``str``, ``bool`` or a tuple of them), named as the control's attribute on the view.
   Its ``__post_init__`` validates every field (``check_int``, ``check_choice``, ...: a ``TypeError``
   or ``ValueError`` naming the field). It may override ``limits()``: the ``(low, high)`` range of
   each numeric field given the others (``x2`` never left of ``x1``, a bin index below the pooled
   size); :meth:`State.settled` clamps every field into its range.
2. A snapshot class: a frozen dataclass subclassing :class:`Snapshot` (``kw_only``) that holds
   *everything the view draws*: arrays, outlines, texts, titles, colours, visibility flags, axis
   limits. It always carries

   * ``data``: the map the explorer shows (``explorer.data``);
   * ``call``: the status line, a Python expression that, pasted into a new cell with only ``ru``
     (``roi_utils``), ``np`` and ``explorer`` defined, evaluates to ``result``. It names every input
     the result depends on (the map by name and seed, the upstream gradient, the stage, ...) through
     literals and the view's named-input methods (``explorer.map("random 7x7", seed=3)``), never
     through the explorer's current state, so a line copied now still reproduces later;
   * ``result``: what ``call`` evaluates to (what the output panel shows); a test evaluates every
     registered explorer's ``call`` and compares;
   * ``problems``: the messages shown in red after the call ("empty bin (0, 1) (off the map):
     output 0"), as a tuple of strings, empty when there is nothing to say.
3. One pure function ``snapshot(state) -> Snapshot`` that computes it all with ``roi_utils`` (its
   geometry functions included: ``pool_bin_edges``, ``align_box_edges``, ...) and the chapter's data
   module (``roi_chapters.chN``). Same state, same snapshot; it never reads a widget or an artist.

**The view**: a subclass of :class:`Explorer` that provides

* class attributes ``State`` (the state class), ``make_snapshot`` (``staticmethod(snapshot)``) and
  ``KEY`` (the name of the state field whose control is the key control: the one the browser test
  and the latency benchmark step; its slider gets the CSS class ``KEY_SLIDER_CLASS``);
* ``build(self) -> list[widgets.Widget]``: makes ``self.figure`` (``common.new_figure``), every
  artist and every control, once. Each control is stored as ``self.<field>`` for its state field and
  listed in ``self.controls`` (field name -> ``NumberControl`` or any ipywidgets value widget;
  ``self.bind("x1", "y1", ..., scale=self.scale_choice)`` does it).
  Returns the rows of controls to lay out above the figure;
* ``show(self, snapshot)``: copies the snapshot onto the artists (``set_data``, ``set_text``,
  ``set_visible``, ``set_offsets``, ...). No arithmetic, no ``roi_utils`` call, no branch on the
  state (``if operator == ...``): whatever differs between cases is a field of the snapshot;
* ``front_artists(self) -> list``: the artists a step of the key control changes, painted over
  ``frames.Layers``' saved back layer (give them a zorder above any back artist they overlap). The
  default, none, redraws the whole figure at every step, still correctly;
* ``show`` may skip a part whose snapshot field did not change (``if self.changed("map", snap.data)``),
  so that an unchanged back-layer artist is not marked changed (and redrawn whole);
* optionally, named-input methods the ``call`` uses (``map``, ``out_grad``: static, taking literals)
  and extra reactions (a click on the output picks a bin: ``self.set(bin_row=..., bin_col=...)``).

**The base** (this class) provides everything else, the same for every explorer: ``state`` and
``snapshot`` (current), ``data``, ``call()``, ``problems``, ``set(**fields)`` (validate, settle,
redraw), ``hold()`` and ``quietly()`` (several changes, one redraw), ``update()``, ``key_control()``,
``layers``, ``widget`` (controls, canvas, status line), ``figure``, ``status``, ``last_update_ms``.
Controls feed ``set``; after each change the base copies the settled state and its limits back onto
the controls (so a clamped value shows), then calls ``show`` and draws. Its own flags (holding,
shown once) are initialised in ``__init__``; nothing is read with ``getattr``.

Helpers for a box: ``box_limits`` (a state's corner and bin limits) and ``Explorer.corner_controls``
(the four corner controls, bound). ``tests/test_explorer_contract.py`` checks all of this for every
registered explorer: the notebook cell builds the registered case, the status line evaluates (also
after every control has moved on), state and snapshot are frozen and the snapshot pure, a bad field
is refused by name, ``show`` draws the same with every ``roi_utils`` function made to fail, and the
cells are square (every visible panel whose data units are map cells; a panel of text or of another
scale, such as a bar of box sizes, says so with ``ax.set_label(NOT_CELLS)``).

A subclass's ``__init__`` turns its notebook-facing keyword arguments into a ``State`` and calls
``super().__init__(state)``. Register it in ``roi_widgets.EXPLORERS`` (an :class:`ExplorerEntry`
with the notebook cell's arguments): the tests, the figure scripts and the browser benchmark find
explorers there.

>>> import matplotlib; matplotlib.use("Agg")
>>> from roi_widgets import EXPLORERS
>>> explorer = EXPLORERS["pool"].build()
>>> explorer.set(x2=4)
>>> explorer.state.x2, explorer.x2.value
(4, 4)
>>> import numpy as np, roi_utils as ru
>>> pasted = eval(explorer.call(), {"ru": ru, "np": np, "explorer": explorer})
>>> np.array_equal(pasted, explorer.snapshot.result)
True
"""

from __future__ import annotations

import dataclasses
import importlib
import numbers
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

import ipywidgets as widgets
import numpy as np

from roi_widgets.common import EXPLORER_CLASS, NumberControl, canvas_widget, set_status, status_line
from roi_widgets.frames import Layers, canvas_lock

# ---------------------------------------------------------------------------
# The model's side: validated state, frozen snapshot
# ---------------------------------------------------------------------------


def check_int(value, name: str, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int (a bool or a non-whole number is refused), within ``[low, high]``.

    >>> check_int(3, "seed", 0, 99)
    3
    >>> check_int(2.5, "seed")
    Traceback (most recent call last):
    ...
    TypeError: seed must be a whole number; got 2.5
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be a whole number; got {value!r}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be in [{low}, {high}]; got {value}")
    return value


def check_float(value, name: str) -> float:
    """``value`` as a finite float (bools refused).

    >>> check_float(1, "x1")
    1.0
    >>> check_float(float("nan"), "x1")
    Traceback (most recent call last):
    ...
    ValueError: x1 must be a finite number; got nan
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number; got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    return value


def check_choice(value, name: str, choices) -> Any:
    """``value`` if it is one of ``choices``.

    >>> check_choice("a", "map_name", ("a", "b"))
    'a'
    >>> check_choice("c", "map_name", ("a", "b"))
    Traceback (most recent call last):
    ...
    ValueError: map_name must be one of ('a', 'b'); got 'c'
    """
    if value not in tuple(choices):
        raise ValueError(f"{name} must be one of {tuple(choices)}; got {value!r}")
    return value


def check_bool(value, name: str) -> bool:
    """``value`` if it is a bool (numpy's included).

    >>> check_bool(1, "coverage")
    Traceback (most recent call last):
    ...
    TypeError: coverage must be True or False; got 1
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def box_limits(state, x_range: tuple, y_range: tuple, pooled: tuple[int, int] | None = None) -> dict:
    """``State.limits`` of a box's corner fields ``x1, y1, x2, y2`` (each in its range, an end never
    before its start) and, given ``pooled = (PH, PW)``, of a chosen bin ``bin_row, bin_col``.

    >>> from types import SimpleNamespace
    >>> limits = box_limits(SimpleNamespace(x1=2, y1=1), (0, 9), (0, 5), (2, 3))
    >>> limits["x2"], limits["bin_col"]
    ((2, 9), (0, 2))
    """
    limits = {"x1": x_range, "y1": y_range, "x2": (state.x1, x_range[1]), "y2": (state.y1, y_range[1])}
    if pooled is not None:
        limits.update(bin_row=(0, pooled[0] - 1), bin_col=(0, pooled[1] - 1))
    return limits


def box_fields(box, pooled=None) -> dict:
    """A constructor's ``box = (x1, y1, x2, y2)`` (and ``pooled = (PH, PW)``) as ``State`` fields.

    >>> box_fields((2, 1, 4, 3), (2, 3))
    {'x1': 2, 'y1': 1, 'x2': 4, 'y2': 3, 'ph': 2, 'pw': 3}
    """
    if isinstance(box, str) or len(np.shape(box)) != 1 or len(box) != 4:
        raise ValueError(f"box must be four numbers (x1, y1, x2, y2); got {box!r}")
    fields = dict(zip(("x1", "y1", "x2", "y2"), box, strict=True))
    if pooled is not None:
        if isinstance(pooled, str) or len(np.shape(pooled)) != 1 or len(pooled) != 2:
            raise ValueError(f"pooled must be two numbers (PH, PW); got {pooled!r}")
        fields.update(ph=pooled[0], pw=pooled[1])
    return fields


NOT_CELLS = "not map cells"
"""The label (``Axes.set_label``) of a panel whose data units are not map cells: the square-cell
check skips it."""

_NOTHING = object()


def _clamp(value, low, high):
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    return value


@dataclass(frozen=True)
class State:
    """Base of every explorer's state: frozen, validated in ``__post_init__``, clamped by ``settled``.

    Subclasses add fields and override ``limits``. Change a state with ``dataclasses.replace`` (which
    validates again), or with ``replaced(**fields)``, which also settles it.
    """

    def limits(self) -> dict[str, tuple]:
        """``field -> (low, high)`` for the numeric fields whose range depends on the state (either
        end may be None). The view also copies these onto its sliders."""
        return {}

    def settled(self) -> State:
        """This state with every field clamped into ``limits()`` (repeated until nothing moves: a
        range can depend on a field clamped before it)."""
        state = self
        for _ in range(4):
            changes = {}
            for name, (low, high) in state.limits().items():
                value = getattr(state, name)
                clamped = _clamp(value, low, high)
                if clamped != value:
                    changes[name] = clamped
            if not changes:
                return state
            state = dataclasses.replace(state, **changes)
        return state

    def replaced(self, **fields) -> State:
        """A copy with ``fields`` changed, validated and settled."""
        return dataclasses.replace(self, **fields).settled()


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """Base of every explorer's snapshot: everything drawn, computed once from a state.

    Attributes
    ----------
    data : np.ndarray
        The (N, C, H, W) map the explorer shows (``explorer.data``).
    call : str
        The status line: an expression in ``ru``, ``np`` and ``explorer`` only, naming every input.
    result : object
        What ``call`` evaluates to (the output the explorer shows).
    problems : tuple of str
        Messages shown in red after the call; empty when there is nothing to say.
    """

    data: np.ndarray
    call: str
    result: Any
    problems: tuple[str, ...] = ()

    def status_problem(self) -> str | None:
        """The problems as one line ("; " between them), None when there are none."""
        return "; ".join(self.problems) or None


# ---------------------------------------------------------------------------
# The view's side
# ---------------------------------------------------------------------------


class Explorer:
    """Base of every explorer view; see the module docstring for what a subclass provides.

    Parameters
    ----------
    state : State
        The first state (settled here). The subclass's ``__init__`` builds it from its own keyword
        arguments.
    """

    State: ClassVar[type[State]]
    make_snapshot: ClassVar[Callable[[State], Snapshot]]
    KEY: ClassVar[str]

    figure = None
    status: widgets.HTML
    widget: widgets.Widget
    controls: dict[str, Any]

    def __init__(self, state: State):
        if not isinstance(state, self.State):
            raise TypeError(f"state must be a {self.State.__name__}; got {type(state).__name__}")
        self._holding = False
        self._shown_once = False
        self._mirroring = False
        self._layers: Layers | None = None
        self._shown: dict[str, Any] = {}
        self.last_update_ms = 0.0
        self.state = state.settled()
        self.snapshot: Snapshot | None = None
        self.controls = {}
        rows = self.build()
        missing = [name for name in self.controls if not hasattr(self.state, name)]
        if missing:
            raise TypeError(f"{type(self).__name__}.controls names no state field: {missing}")
        key = self.controls[self.KEY]
        if isinstance(key, NumberControl):
            key.mark_key()
        self.status = status_line()
        self._wire()
        self.widget = widgets.VBox([widgets.VBox(rows), canvas_widget(self.figure), self.status])
        self.widget.add_class(EXPLORER_CLASS)
        self.update()

    # -- what a subclass provides ----------------------------------------------

    def build(self) -> list:  # pragma: no cover - abstract
        raise NotImplementedError

    def show(self, snapshot: Snapshot) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def front_artists(self) -> list:
        """The artists a key step changes; none by default (every step a whole draw)."""
        return []

    def corner_controls(self, x_range: tuple, y_range: tuple, step=1, integer: bool = True, **style) -> list:
        """For ``build``: the box's corner controls ``self.x1, self.y1, self.x2, self.y2`` (a slider
        and a number box each, from the state's values), bound to their fields; returns the rows
        ``x1 y1`` and ``x2 y2``. ``style``: ``NumberControl``'s ``width``."""
        for name, (low, high) in (("x1", x_range), ("y1", y_range), ("x2", x_range), ("y2", y_range)):
            value = getattr(self.state, name)
            setattr(self, name, NumberControl(name, value, low, high, step=step, integer=integer, **style))
        self.bind("x1", "y1", "x2", "y2")
        return [widgets.HBox([self.x1.box, self.y1.box]), widgets.HBox([self.x2.box, self.y2.box])]

    def bind(self, *fields: str, **renamed) -> None:
        """For ``build``: list controls in ``self.controls``: ``self.<field>`` for each of ``fields``,
        and ``renamed`` (field -> control) for controls stored under another name."""
        self.controls.update({name: getattr(self, name) for name in fields}, **renamed)

    def changed(self, name: str, value) -> bool:
        """For ``show``: True the first time, and whenever ``value`` is not the object last passed
        under ``name`` (equal tuples and strings count as the same). A view copies a part that rarely
        changes (the map: a back-layer artist) only when this says so, so a step that leaves it alone
        leaves the back layer alone too."""
        previous = self._shown.get(name, _NOTHING)
        same = previous is value or (
            isinstance(value, str | tuple | int | float)
            and type(previous) is type(value)
            and previous == value
        )
        self._shown[name] = value
        return not same

    # -- state and snapshot ------------------------------------------------------

    @property
    def data(self) -> np.ndarray:
        """The (N, C, H, W) map on screen."""
        return self.snapshot.data

    def call(self) -> str:
        """The status line: the call that reproduces the output, for a notebook where the explorer is
        ``explorer``."""
        return self.snapshot.call

    @property
    def problems(self) -> tuple[str, ...]:
        return self.snapshot.problems

    def set(self, **fields) -> None:
        """Change state fields (validated, then settled); redraw unless held."""
        new = self.state.replaced(**fields)
        if new == self.state:
            return
        self.state = new
        if not self._holding:
            self.update()

    @contextmanager
    def quietly(self):
        """Change controls or state without redrawing; re-entrant. The next ``update`` shows it."""
        previous = self._holding
        self._holding = True
        try:
            yield self
        finally:
            self._holding = previous

    @contextmanager
    def hold(self):
        """Change several controls and redraw once at the end."""
        with self.quietly():
            yield self
        self.update()

    def update(self, *_ignored) -> None:
        """Snapshot the state, copy it onto the controls and the artists, draw."""
        with canvas_lock(self.figure.canvas):  # no render on another thread meanwhile (frames.canvas_lock)
            self._update()

    def _update(self) -> None:
        start = time.perf_counter()
        self.snapshot = type(self).make_snapshot(self.state)
        self._mirror_controls()
        self.show(self.snapshot)
        set_status(self.status, self.snapshot.call, self.snapshot.status_problem())
        if self._shown_once:
            # drawn and pushed at once; draw_idle() would first ask the browser to ask back for
            # the image, one extra round trip per slider step under ipympl
            self.layers.draw()
        else:  # the first image must wait until the browser has created the canvas
            self._shown_once = True
            self.figure.canvas.draw_idle()
        self.last_update_ms = (time.perf_counter() - start) * 1000

    @property
    def layers(self) -> Layers:
        """How a step is drawn: ``front_artists`` over a saved back layer."""
        if self._layers is None:
            self._layers = Layers(self.figure, self.front_artists)
        return self._layers

    def key_control(self):
        """The control of the ``KEY`` field: the one the browser test and the benchmark step."""
        return self.controls[self.KEY]

    # -- wiring ------------------------------------------------------------------

    def _wire(self) -> None:
        for name, control in self.controls.items():
            callback = self._reaction(name)
            if isinstance(control, NumberControl):
                control.observe(callback)
            else:
                control.observe(callback, names="value")

    def _reaction(self, name: str):
        def react(change) -> None:
            if not self._mirroring:
                self.set(**{name: change["new"]})

        return react

    def _mirror_controls(self) -> None:
        """Copy the settled state's limits and values onto the controls, without feedback."""
        self._mirroring = True
        try:
            limits = self.state.limits()
            for name, control in self.controls.items():
                value = getattr(self.state, name)
                if isinstance(control, NumberControl) and name in limits:
                    low, high = limits[name]
                    low = control.slider.min if low is None else low
                    high = control.slider.max if high is None else high
                    if (control.slider.min, control.slider.max) != (low, high):
                        control.set_limits(low, high)
                if control.value != value:
                    control.value = value
        finally:
            self._mirroring = False

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


# ---------------------------------------------------------------------------
# The registry's entries
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExplorerEntry:
    """How to build one explorer with its notebook's case, and where it lives.

    Attributes
    ----------
    name : str
        The registry key (``"pool"``).
    target : str
        ``"module:Class"`` of the explorer view (imported only when built).
    kwargs : Mapping
        The keyword arguments of the notebook cell that shows it (a test compares them with the cell).
    chapter : int
        The chapter number (0 for the start page).
    notebook : str
        The notebook file under ``notebooks/`` whose cell builds it.
    cell : str
        The class the notebook cell builds when it is not the explorer's own (chapter 5's
        ``GradExplorer`` shows both gradient explorers under one operator choice); "" otherwise.
    """

    name: str
    target: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    chapter: int = 0
    notebook: str = ""
    cell: str = ""

    @property
    def explorer_class(self) -> type[Explorer]:
        module, _, cls = self.target.partition(":")
        return getattr(importlib.import_module(module), cls)

    def build(self, **overrides) -> Explorer:
        """The explorer as the notebook cell builds it; ``overrides`` change some of its arguments."""
        return self.explorer_class(**{**self.kwargs, **overrides})

    def cell_call(self) -> str:
        """The constructor call as the notebook cell writes it: ``PoolExplorer(map_name="...")``.

        >>> ExplorerEntry("x", "m:Kind", {"box": (1, 2)}).cell_call()
        'Kind(box=(1, 2))'
        """
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.kwargs.items())
        return f"{self.target.partition(':')[2]}({arguments})"
