"""Getting an explorer's picture to the browser fast: two layers, whole frames, quick PNGs.

A slider step changes a few artists (a box, its bins, the output) over a picture that stays
the same (the map, its printed values, the legend). ``Layers`` renders that unchanging back
layer once, keeps a copy of its pixels, and for each step pastes the copy and draws only the
front artists over it; it notices by itself when the back layer has changed and then renders
everything again. ``send_full_frames`` makes ipympl send each result as one whole PNG, and
``png_bytes`` writes that PNG in a few milliseconds.
"""

from __future__ import annotations

import math
import struct
import threading
import zlib
from contextlib import contextmanager
from operator import attrgetter

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.legend import Legend

try:  # ISA-L's deflate: the same format as zlib's, 4-10 times faster on an explorer's frame
    from isal.isal_zlib import compress as deflate
except ImportError:  # a platform without isal's wheels: the standard library's, slower
    from zlib import compress as deflate

PNG_COMPRESS_LEVEL = 1
"""Deflate level of the frames sent to the browser (isal's levels run 0-3, zlib's 0-9): level 1 is
the fastest that still compresses an explorer's flat colours about 40-fold; a local or Binder
connection carries the rest in well under a millisecond."""


def _png_chunk(tag: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))


def png_bytes(pixels: np.ndarray, level: int = PNG_COMPRESS_LEVEL) -> bytes:
    """An (H, W, 4) uint8 RGBA array as a PNG file's bytes: every row but the first stored as its
    difference from the row above (PNG's "up" filter), deflated at ``level`` (by ``deflate``).

    PIL tries several filters on each row before deflating, which takes 2-3 times as long on an
    explorer's frame. "Up" alone turns an explorer's flat colours and vertical edges into runs of
    zeros: on this course's frames it encodes faster than no filter at all, and smaller.

    >>> import io; from PIL import Image
    >>> pixels = np.random.default_rng(0).integers(0, 256, (3, 5, 4), dtype=np.uint8)
    >>> np.array_equal(np.asarray(Image.open(io.BytesIO(png_bytes(pixels)))), pixels)
    True
    """
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 4:
        raise ValueError(f"pixels must be an (H, W, 4) uint8 array; got {pixels.dtype} {pixels.shape}")
    height, width, _ = pixels.shape
    flat = pixels.reshape(height, 4 * width)
    rows = np.empty((height, 1 + 4 * width), np.uint8)  # each row: its filter type, then its bytes
    rows[0, 0], rows[0, 1:] = 0, flat[0]  # type 0: as it is
    rows[1:, 0] = 2  # type 2, "up": minus the row above, modulo 256 (uint8 arithmetic wraps)
    np.subtract(flat[1:], flat[:-1], out=rows[1:, 1:])
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", deflate(rows, level)),
            _png_chunk(b"IEND", b""),
        )
    )


TEXT_CACHE_SIZE = 4096
"""How many rendered strings ``cache_text`` keeps (each a small greyscale bitmap)."""

_text_images: dict = {}

TEXT_CACHE_MATPLOTLIB = "3.10."
"""The matplotlib series whose ``RendererAgg.draw_text`` the cache mirrors (and the tests check pixel
for pixel). Matplotlib 3.11 lays text out differently, so there the cache stays off and text is drawn
as usual: slower, never different."""


def text_cache_applies() -> bool:
    """Is this matplotlib the series ``cache_text`` mirrors?"""
    return matplotlib.__version__.startswith(TEXT_CACHE_MATPLOTLIB)


def cache_text(renderer: RendererAgg) -> None:
    """Make ``renderer`` keep the glyph bitmap of every string it draws and reuse it when the same
    string is drawn again in the same font at the same dpi.

    ``RendererAgg.draw_text`` lays the string's glyphs out and rasterises them anew at every draw
    (FreeType's ``set_text`` and ``draw_glyphs_to_bitmap``): most of the cost of an explorer's
    printed map values, which a redraw draws again unchanged. The cached bitmap is the very array
    ``draw_text`` would hand to ``draw_text_image``, so the pixels are the same (tested). It mirrors
    matplotlib 3.10's ``draw_text`` and does nothing under another series (``text_cache_applies``)."""
    if renderer.__dict__.get("_text_cached") or type(renderer).draw_text is not RendererAgg.draw_text:
        return
    if not text_cache_applies():
        return
    draw_text = renderer.draw_text

    def draw_cached_text(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        key = (s, hash(prop), renderer.dpi, bool(gc.get_antialiased()), get_hinting_flag())
        entry = _text_images.get(key)
        if entry is None:
            font = renderer._prepare_font(prop)
            font.set_text(s, 0, flags=get_hinting_flag())
            font.draw_glyphs_to_bitmap(antialiased=gc.get_antialiased())
            xo, yo = font.get_bitmap_offset()
            entry = (np.asarray(font).copy(), font.get_descent() / 64.0, xo / 64.0, yo / 64.0)
            if len(_text_images) >= TEXT_CACHE_SIZE:
                _text_images.clear()
            _text_images[key] = entry
        image, descent, xo, yo = entry
        xd = descent * math.sin(math.radians(angle))
        yd = descent * math.cos(math.radians(angle))
        renderer._renderer.draw_text_image(image, round(x + xo + xd), round(y + yo + yd) + 1, angle, gc)

    renderer.draw_text = draw_cached_text
    renderer._text_cached = True


def canvas_lock(canvas) -> threading.RLock:
    """The lock that every render of ``canvas``'s figure holds: ``Layers.draw``, the canvas's own
    ``draw`` (ipympl's answer to the browser asking for a frame) and the making of a frame.

    ipykernel 7 can handle two widget messages at once on different threads: the browser's "draw"
    and a slider's new value. Both then render into the canvas's one Agg renderer: one clears it
    while the other is drawing or saving it. Seen in the browser: ipympl's draw cleared the
    renderer between ``Layers`` rendering the back layer and saving it, so a blank back layer was
    saved and every later step pasted it under the box and the title (the start page that lost
    its heatmap for good). Re-entrant: a ``Layers`` draw ends by sending a frame."""
    lock = canvas.__dict__.get("_render_lock_roi")
    if lock is None:
        lock = canvas.__dict__.setdefault("_render_lock_roi", threading.RLock())
    return lock


def serialise_draws(canvas) -> None:
    """Make ``canvas.draw`` hold ``canvas_lock`` (once per canvas)."""
    if canvas.__dict__.get("_draw_serialised"):
        return
    draw, lock = canvas.draw, canvas_lock(canvas)

    def locked_draw(*args, **kwargs):
        with lock:
            return draw(*args, **kwargs)

    canvas.draw = locked_draw
    canvas._draw_serialised = True


def send_full_frames(canvas) -> None:
    """Make an ipympl canvas send every frame whole, never as a diff of the previous one,
    encoded by ``png_bytes``.

    By default matplotlib's web canvas sends only the pixels that changed, and the
    browser paints them over the last frame. ipympl's browser side swaps in each new
    frame as soon as it arrives, so a frame that has not finished loading when the
    next one comes is never painted; if it was a diff, its change is lost for good and
    the picture stays stale (seen as a figure that ignores a slider step). A whole
    frame is a few kB more, and any frame that is painted shows the true state. No frame is
    made while a ``Layers`` draw is under way (its front artists hidden, or half drawn): one asked
    for then is sent when that draw ends.
    Canvases without the web backend (Agg in tests) are left alone.
    """
    serialise_draws(canvas)
    if not hasattr(canvas, "get_diff_image") or not hasattr(canvas, "_force_full"):
        return
    lock = canvas_lock(canvas)

    def whole_frame():
        with lock:
            return _whole_frame()

    def _whole_frame():
        if not canvas._png_is_old or getattr(canvas, "_layers_rendering", False):
            return None  # nothing new, or a ``Layers`` draw under way (its front artists hidden)
        pixels = np.asarray(canvas.get_renderer().buffer_rgba())
        canvas.set_image_mode("full")
        canvas._last_buff = pixels.view(np.uint32).squeeze(2).copy()  # ipympl's snapshot reads it
        canvas._force_full = canvas._png_is_old = False
        return png_bytes(pixels)

    canvas.get_diff_image = whole_frame


@contextmanager
def _left_out(artists):
    """Leave ``artists`` out of a draw of their figure without moving anything else.

    Marked ``animated``, as matplotlib's own blitting does: a hidden title would be moved (the
    title placement measures it). Images are drawn even when animated, so those are hidden."""
    images = [a for a in artists if isinstance(a, AxesImage) and a.get_visible()]
    others = [a for a in artists if not isinstance(a, AxesImage) and not a.get_animated()]
    for artist in images:
        artist.set_visible(False)
    for artist in others:
        artist.set_animated(True)
    try:
        yield
    finally:
        for artist in images:
            artist.set_visible(True)
        for artist in others:
            artist.set_animated(False)


def paint_order(figure: Figure, artists) -> list:
    """``artists`` sorted in the order a full draw of ``figure`` paints them: the figure's own
    children by zorder, and inside each Axes its children by zorder (ties keep their order)."""
    rank = {}
    for place, owner in enumerate(sorted(figure.get_children(), key=attrgetter("zorder"))):
        if isinstance(owner, Axes):
            for inner, child in enumerate(sorted(owner.get_children(), key=attrgetter("zorder"))):
                rank.setdefault(id(child), (place, inner))
        rank.setdefault(id(owner), (place, -1))
    return sorted(artists, key=lambda artist: rank[id(artist)])


REDRAW_MARGIN_POINTS = 3.0
"""How far past its measured extent (``get_tightbbox``, ``get_window_extent``) an artist may paint:
half a line's width, antialiasing, a glyph's overhang. ``Layers`` redraws one Axes alone only where
its extent, grown by this much, meets no other part of the figure's grown by as much."""


class Layers:
    """Draw ``figure`` as a saved back layer plus the artists ``front()`` returns, painted over it.

    ``draw()`` renders everything (into the canvas, then sends it like ``canvas.blit``) in one
    of three ways:

    * **whole**: the front artists hidden, the figure rendered and its pixels saved as the back
      layer; then the front artists painted over it. Done the first time, and whenever the
      figure's size or dpi differ, or a back-layer artist that belongs to no Axes has changed.
    * **one Axes** (or a few): when only some Axes' back-layer artists have changed (matplotlib
      marks a changed artist ``stale``), or their limits, position or visibility differ, the
      saved layer is pasted, the pixels those Axes painted (before and now) are reset to the bare
      figure background, and just those Axes are drawn there again, front artists hidden; then
      saved. Only where those pixels meet nothing else of the figure (``REDRAW_MARGIN_POINTS``);
      else whole. A chapter's pooled-size control, say, changes the output panel and its bins,
      not the map with its printed values and legend.
    * **quick**: the saved back layer pasted, the front artists painted over it.

    All give the same pixels as one ordinary draw of the figure, as long as no back-layer artist
    is painted over a front one where they overlap (give front artists the higher zorder); the
    tests compare them pixel for pixel. ``whole_draws`` counts the draws that drew back-layer
    artists (whole or one Axes), ``axes_draws`` those of them that drew only some Axes, and
    ``quick_draws`` the others.

    Every draw starts from a rendering of the back layer made here, with the front artists
    hidden, and nothing else: the canvas's own draws (ipympl's, when the browser asks for a
    frame) never become the saved layer, and a frame the browser asks for between two draws
    always shows the last complete picture.

    >>> import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
    >>> figure, (ax, other) = plt.subplots(1, 2)
    >>> ax.set_axis_off(); other.set_axis_off()  # no tick labels reaching from one into the other
    >>> heatmap = ax.imshow([[0, 1], [2, 3]])
    >>> (box,) = ax.plot([0, 1], [0, 1], zorder=3)
    >>> layers = Layers(figure, lambda: [box])
    >>> layers.draw()  # the first draw is whole
    >>> box.set_xdata([1, 0]); layers.draw()  # only the front artist changed: quick
    >>> heatmap.set_data([[3, 2], [1, 0]]); layers.draw()  # the back layer of one Axes changed
    >>> layers.whole_draws, layers.axes_draws, layers.quick_draws
    (2, 1, 1)
    >>> plt.close(figure)
    """

    def __init__(self, figure: Figure, front):
        self.figure = figure
        self.front = front
        self.whole_draws = 0
        self.axes_draws = 0
        self.quick_draws = 0
        self._background: np.ndarray | None = None  # the back layer's pixels
        self._bare: np.ndarray | None = None  # the figure's own background (its patch) alone
        self._layout = None
        self._axes_layout: dict = {}
        self._back: list = []
        self._front: list = []
        self._extents: dict = {}  # id(Axes or figure-level artist) -> (x0, y0, x1, y1) pixels or None

    def layout(self) -> tuple:
        """What the saved layer depends on besides the artists: size, dpi, each Axes' limits,
        place and visibility."""
        return self._figure_layout(), tuple(self._one_axes_layout(ax) for ax in self.figure.axes)

    def _figure_layout(self) -> tuple:
        figure = self.figure
        return figure.dpi, tuple(figure.bbox.bounds), tuple(id(ax) for ax in figure.axes)

    @staticmethod
    def _one_axes_layout(ax) -> tuple:
        return ax.get_visible(), tuple(ax.viewLim.bounds), tuple(ax.get_position().bounds)

    def back_changed(self) -> bool:
        return self._plan() != []

    def _plan(self):
        """``None``: draw whole; ``[]``: quick; else the Axes to draw again, in paint order."""
        if self._background is None or self._figure_layout() != self._layout:
            return None
        buffer = self.figure.canvas.get_renderer().buffer_rgba()
        if np.asarray(buffer).shape != self._background.shape:
            return None
        saved = self._axes_layout
        dirty = {id(ax): ax for ax in self.figure.axes if self._one_axes_layout(ax) != saved[id(ax)]}
        for artist in self._back:
            if artist.stale:
                owner = artist.axes
                if owner is None or id(owner) not in self._axes_layout:
                    return None  # a figure-level artist (a figure legend, a suptitle): whole
                dirty[id(owner)] = owner
        if not dirty:
            return []
        return [ax for ax in self.figure.axes if id(ax) in dirty]

    def _margin(self) -> float:
        return REDRAW_MARGIN_POINTS * self.figure.dpi / 72

    def draw(self) -> None:
        canvas = self.figure.canvas
        with canvas_lock(canvas):
            self._draw_locked()

    def _draw_locked(self) -> None:
        canvas = self.figure.canvas
        canvas._layers_rendering = True  # a frame asked for now would lack the front: see send_full_frames
        try:
            for _ in range(3):
                layout, renderer = self._figure_layout(), canvas.get_renderer()
                self._render(layout)
                if canvas.get_renderer() is renderer and self._figure_layout() == layout:
                    break
                # the figure's size or dpi changed while it was drawn (a browser message handled
                # meanwhile): the canvas now holds a new, blank renderer; what was saved is stale
                self._background = None
        finally:
            canvas._layers_rendering = False
        # drawn: as matplotlib's own draw does, mark the figure current, or IPython's post-execute
        # hook (run after every widget message) has ipympl draw it all again and send a second frame
        self.figure.stale = False
        canvas.blit()  # the web canvas sends the frame; on Agg this does nothing

    def _render(self, layout) -> None:
        canvas = self.figure.canvas
        cache_text(canvas.get_renderer())
        plan = self._plan()
        if plan is None:
            self._draw_back(layout)
            self.whole_draws += 1
        elif plan:
            if self._draw_axes(plan):
                self.axes_draws += 1
            else:  # what they paint would meet another part of the figure
                self._draw_back(layout)
            self.whole_draws += 1
        else:
            np.copyto(np.asarray(canvas.get_renderer().buffer_rgba()), self._background)
            self.quick_draws += 1
        renderer = canvas.get_renderer()
        for artist in self._front:
            if artist.axes is None or artist.axes.get_visible():
                artist.draw(renderer)

    def _draw_back(self, layout) -> None:
        """Render the back layer and save it, with the ``layout`` it was drawn for (taken before
        drawing: ``draw`` draws again if it changed meanwhile)."""
        figure, canvas = self.figure, self.figure.canvas
        front = list(self.front())
        renderer = canvas.get_renderer()
        renderer.clear()
        figure.patch.draw(renderer)
        self._bare = np.asarray(renderer.buffer_rgba()).copy()
        with _left_out(front):
            FigureCanvasAgg.draw(canvas)  # renders only; the web canvas's draw would also send it
        # the pixels of the renderer just drawn into, never one the canvas made since
        self._background = np.asarray(canvas.renderer.buffer_rgba()).copy()
        self._layout = layout
        self._axes_layout = {id(ax): self._one_axes_layout(ax) for ax in figure.axes}
        self._front = paint_order(figure, front)
        self._back = back_artists(figure, front)
        margin = self._margin()
        self._extents = {id(ax): _grown(_extent(ax, renderer), margin) for ax in figure.axes}
        in_front = {id(artist) for artist in front}
        for artist in figure.get_children():
            if not isinstance(artist, Axes) and artist is not figure.patch and id(artist) not in in_front:
                self._extents[id(artist)] = _grown(_extent(artist, renderer), margin)
        for artist in self._back:
            artist.stale = False

    def _draw_axes(self, axes: list) -> bool:
        """Draw only ``axes`` again over the saved back layer, if what each paints, before and now,
        meets nothing else of the figure; return whether it did.

        Each is drawn alone over the bare figure background, so the pixels it paints now are known
        exactly (those that differ from the bare background); the pixels it painted before were
        known the same way, or measured (``_extent``) at the last whole draw."""
        figure, canvas = self.figure, self.figure.canvas
        renderer = canvas.get_renderer()
        pixels = np.asarray(renderer.buffer_rgba())
        front = list(self.front())
        drawn = []  # (Axes, the pixels it paints now, the region to replace)
        with _left_out(front):
            for ax in axes:
                np.copyto(pixels, self._bare)
                ax.draw(renderer)
                painted = _painted_box(pixels, self._bare)
                region = _union(painted, self._extents.get(id(ax)))
                drawn.append((ax, painted, region, pixels.copy() if region is not None else None))
        keys = {id(ax) for ax in axes}
        boxes = [box for key, box in self._extents.items() if key not in keys and box is not None]
        regions = [region for _, _, region, _ in drawn if region is not None]
        meets = any(_meet(r, box) for r in regions for box in boxes) or any(
            _meet(first, second) for i, first in enumerate(regions) for second in regions[i + 1 :]
        )
        if meets:
            return False
        result = self._background.copy()
        height = pixels.shape[0]
        for ax, painted, region, alone in drawn:
            if region is not None:
                x0, y0, x1, y1 = _pixel_box(region, pixels.shape)
                rows = slice(height - y1, height - y0)  # the buffer's rows run top down
                result[rows, x0:x1] = alone[rows, x0:x1]
            self._axes_layout[id(ax)] = self._one_axes_layout(ax)
            self._extents[id(ax)] = painted  # what it paints, to the pixel
        np.copyto(pixels, result)
        self._background = result
        self._front = paint_order(figure, front)
        self._back = back_artists(figure, front)
        for artist in self._back:
            artist.stale = False
        return True


def _painted_box(pixels: np.ndarray, bare: np.ndarray):
    """The smallest ``(x0, y0, x1, y1)`` (display pixels, y up) holding every pixel of ``pixels``
    that differs from ``bare``, or None when none does."""
    changed = pixels.view(np.uint32)[..., 0] != bare.view(np.uint32)[..., 0]
    rows = np.flatnonzero(changed.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(changed.any(axis=0))
    height = pixels.shape[0]
    return float(cols[0]), float(height - rows[-1] - 1), float(cols[-1] + 1), float(height - rows[0])


def _extent(artist, renderer):
    """Where ``artist`` paints, ``(x0, y0, x1, y1)`` in display pixels (y up), or None (invisible)."""
    if not artist.get_visible():
        return None
    box = artist.get_tightbbox(renderer) if isinstance(artist, Axes) else artist.get_window_extent(renderer)
    if box is None or not np.all(np.isfinite(box.extents)):
        return None
    return tuple(box.extents)


def _grown(box, margin: float):
    if box is None:
        return None
    x0, y0, x1, y1 = box
    return x0 - margin, y0 - margin, x1 + margin, y1 + margin


def _union(first, second):
    if first is None or second is None:
        return first or second
    return (
        min(first[0], second[0]),
        min(first[1], second[1]),
        max(first[2], second[2]),
        max(first[3], second[3]),
    )


def _meet(first, second) -> bool:
    return first[0] < second[2] and second[0] < first[2] and first[1] < second[3] and second[1] < first[3]


def _pixel_box(box, shape) -> tuple[int, int, int, int]:
    """``box`` widened to whole pixels and cut to the buffer: ``(x0, y0, x1, y1)``, y up."""
    height, width = shape[:2]
    x0, y0, x1, y1 = box
    return (
        max(int(np.floor(x0)), 0),
        max(int(np.floor(y0)), 0),
        min(int(np.ceil(x1)), width),
        min(int(np.ceil(y1)), height),
    )


def back_artists(figure: Figure, front) -> list:
    """The artists of ``figure`` whose change means its back layer must be drawn again: all but
    ``front`` and a few that matplotlib marks changed at every draw or on any change inside them.

    Left out are the Figure and its Axes (marked changed by any child), Axis objects with their
    ticks (marked at every draw; what they show follows the limits, which ``Layers.layout``
    compares) and the parts of a legend (laid out anew at every draw; the legend itself counts).
    """
    in_front = {id(artist) for artist in front}
    back, todo = [], list(figure.get_children())
    while todo:
        artist = todo.pop()
        if id(artist) in in_front or isinstance(artist, Axis):
            continue
        if not isinstance(artist, Axes):
            back.append(artist)
        if not isinstance(artist, Legend):
            todo.extend(artist.get_children())
    return back
