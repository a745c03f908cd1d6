"""Drawing pieces every explorer view shares: paired slider + number entry, status line, figure,
heatmaps with printed values, digit colours.

The explorer contract itself (model, snapshot, view base) is in ``roi_widgets.base``. Nothing here
computes RoI arithmetic: the geometry comes from ``roi_utils``.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import traitlets

from roi_widgets.frames import send_full_frames

KEY_SLIDER_CLASS = "roi-key-slider"
"""CSS class of the slider the browser test drags in each explorer."""

NUMBER_BOX_CLASS = "roi-number-box"
"""CSS class of every ``NumberControl``'s number box (the benchmark types into them)."""

EXPLORER_CLASS = "roi-explorer"
"""CSS class on every explorer's outer box (the browser test finds explorers by it)."""


DECIMALS = 6
"""Decimal places a float control keeps: what a browser hands over (``2.5000000000000004`` from a
slider's or a number box's own float arithmetic) is rounded to this many, so the kernel sees, and
every number box shows, ``2.5``."""


def clean_number(value, integer: bool):
    """``value`` as the control holds it: an ``int``, or a float rounded to ``DECIMALS`` places
    (``-0.0`` made ``0.0``).

    >>> clean_number(3.0000000000000004, integer=False), clean_number(-0.0, integer=False)
    (3.0, 0.0)
    >>> clean_number(7.0, integer=True)
    7
    """
    if integer:
        return int(value)
    return round(float(value), DECIMALS) + 0.0


def format_number(value, integer: bool) -> str:
    """How a number box shows ``value``: whole numbers without a decimal point, others with as
    few decimals as they need (at most ``DECIMALS``).

    >>> format_number(3.0000000000000004, False), format_number(2.5, False), format_number(12, True)
    ('3', '2.5', '12')
    """
    text = f"{clean_number(value, integer):.{0 if integer else DECIMALS}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def read_entry(text: str, minimum, maximum, integer: bool):
    """What a number box typed as ``text`` means for a control with range ``minimum..maximum``:
    ``(value, note)``. ``value`` is None when the entry is refused (not a number, or not whole
    in a whole-number box); an entry outside the range is clamped to its end. ``note`` says what
    was refused or changed, or is ``""``.

    >>> read_entry(" 4 ", 0, 40, integer=True)
    (4, '')
    >>> read_entry("1e9", 0, 40, integer=True)
    (40, '1e9 is above 40: set to 40')
    >>> read_entry("0.3", 0, 40, integer=True)
    (None, '0.3 is not a whole number')
    >>> read_entry("2.5000000000000004", -2.0, 8.0, integer=False)
    (2.5, '')
    >>> read_entry("abc", 0, 40, integer=True)
    (None, "'abc' is not a number")
    """
    typed = text.strip()
    try:
        number = float(typed)
    except ValueError:
        return None, f"{typed!r} is not a number"
    if not np.isfinite(number):
        return None, f"{typed} is not a finite number"
    if integer and not number.is_integer():
        return None, f"{typed} is not a whole number"
    if number < minimum:
        return clean_number(minimum, integer), f"{typed} is below {format_number(minimum, integer)}: " \
            f"set to {format_number(minimum, integer)}"
    if number > maximum:
        return clean_number(maximum, integer), f"{typed} is above {format_number(maximum, integer)}: " \
            f"set to {format_number(maximum, integer)}"
    return clean_number(number, integer), ""


class _CleanFloatSlider(widgets.FloatSlider):
    """A ``FloatSlider`` whose value is rounded to ``DECIMALS`` places as it arrives (the browser
    then gets the rounded value back)."""

    @traitlets.validate("value")
    def _validate_value(self, proposal):
        return clean_number(super()._validate_value(proposal), integer=False)


class NumberControl:
    """A slider and a number box for one value, kept in step by the kernel.

    The box is a text entry read by ``read_entry`` when the learner presses Enter (or leaves it):
    whatever is typed is either taken (clamped to the range, with a note beside the box saying so)
    or refused with a note, and the box shows the value the control now holds, written by
    ``format_number`` (never ``2.5000000000000004``; ipywidgets' own integer box would have turned
    ``1e9`` into ``19`` and ``0.3`` into ``03`` by dropping characters as they were typed).

    ``value``, ``min`` and ``max`` read and write both. ``observe(callback)`` fires once per change
    of the value.

    >>> control = NumberControl("x", 2, 0, 40)
    >>> control.entry.value = "1e9"
    >>> control.value, control.entry.value, control.note.value
    (40, '40', '1e9 is above 40: set to 40')
    >>> control.entry.value = "0.3"
    >>> control.value, control.entry.value, control.note.value
    (40, '40', '0.3 is not a whole number')
    >>> control.value = 3
    >>> control.entry.value, control.note.value
    ('3', '')
    """

    def __init__(self, description: str, value, minimum, maximum, step=1, integer=True, width="230px"):
        slider_cls = widgets.IntSlider if integer else _CleanFloatSlider
        self.integer = integer
        self.slider = slider_cls(
            value=value,
            min=minimum,
            max=maximum,
            step=step,
            description=description,
            continuous_update=True,
            readout=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width=width),
        )
        self.entry = widgets.Text(
            value=format_number(self.slider.value, integer),
            continuous_update=False,
            layout=widgets.Layout(width="72px"),
        )
        self.entry.add_class(NUMBER_BOX_CLASS)
        self.note = widgets.HTML(value="", style={"text_color": "#b00020"})
        self.slider.observe(self._to_entry, names="value")
        self.entry.observe(self._from_entry, names="value")
        self.box = widgets.HBox([self.slider, self.entry, self.note])

    def _to_entry(self, change) -> None:
        self.note.value = ""
        self._show(change["new"])

    def _show(self, value) -> None:
        text = format_number(value, self.integer)
        if self.entry.value != text:
            self.entry.value = text

    def observe(self, callback) -> None:
        self.slider.observe(callback, names="value")

    def _from_entry(self, change) -> None:
        if change["new"] == format_number(self.slider.value, self.integer):
            return  # the kernel's own echo of the slider
        value, note = read_entry(change["new"], self.slider.min, self.slider.max, self.integer)
        if value is not None and value != self.slider.value:
            self.slider.value = value  # (clears the note and rewrites the box)
        self._show(self.slider.value)
        self.note.value = html.escape(note)

    @property
    def value(self):
        return self.slider.value

    @value.setter
    def value(self, new) -> None:
        self.slider.value = new

    @property
    def disabled(self) -> bool:
        return self.slider.disabled

    @disabled.setter
    def disabled(self, value: bool) -> None:
        """Grey out the slider and its number box together."""
        self.slider.disabled = self.entry.disabled = value

    def set_limits(self, minimum, maximum) -> None:
        """Change the range without ever holding min > max (ipywidgets refuses that)."""
        if minimum > self.slider.max:
            self.slider.max = maximum
            self.slider.min = minimum
        else:
            self.slider.min = minimum
            self.slider.max = maximum

    def mark_key(self) -> NumberControl:
        """Tag this slider as the one the browser test drags."""
        self.slider.add_class(KEY_SLIDER_CLASS)
        return self


def labelled_dropdown(description: str, options, value) -> widgets.Dropdown:
    """A dropdown whose whole label shows (ipywidgets' default label width cuts ``sample_ratio``)."""
    return widgets.Dropdown(
        options=options,
        value=value,
        description=description,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="auto"),
    )


def digit_colours(cmap, levels) -> np.ndarray:
    """"white" or "black" for digits printed on cells coloured ``cmap(levels)`` (``levels`` in [0, 1],
    any shape): white where the cell's relative luminance (WCAG) is below 0.18, where both give the
    same contrast, so it never falls below 4.5:1 (black digits on the darkest blues gave 1.65:1).

    >>> import matplotlib
    >>> digit_colours(matplotlib.colormaps["Blues"], np.array([0.0, 0.5, 1.0])).tolist()
    ['black', 'black', 'white']
    """
    rgb = np.asarray(cmap(np.ma.filled(np.asarray(levels, dtype=float), 0.0)))[..., :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    return np.where(luminance < 0.18, "white", "black")


def status_line() -> widgets.HTML:
    """A one-line monospace status widget (the call that reproduces the view)."""
    return widgets.HTML(layout=widgets.Layout(width="100%"))


def set_status(line: widgets.HTML, text: str, problem: str | None = None) -> None:
    """Show ``text`` as code; ``problem`` (an empty bin, a box off the map) in red after it."""
    body = f"<code>{html.escape(text)}</code>"
    if problem:
        body += f' <span style="color:#b00020">{html.escape(problem)}</span>'
    line.value = body


def box_outline(x1, y1, x2, y2):
    """x and y lists of the closed rectangle with corners ``(x1, y1)`` and ``(x2, y2)`` in map
    coordinates (cell centres at whole numbers), for ``Line2D.set_data``.

    >>> box_outline(0, 1, 2, 3)
    ([0, 2, 2, 0, 0], [1, 1, 3, 3, 1])
    """
    return [x1, x2, x2, x1, x1], [y1, y1, y2, y2, y1]


def fixed_title(ax, text: str = "", **style):
    """Set ``ax``'s title and its style once, at a fixed height; change it later through
    ``ax.title.set_text`` (or ``ax.title.set``), not ``set_title``.

    ``set_title`` also resets the empty left and right titles, and matplotlib's automatic title
    placement moves all three at every draw: either marks them changed, so ``frames.Layers`` would
    redraw the whole figure at every step. A fixed height also skips that placement's search for
    tick labels above the axes.
    """
    return ax.set_title(text, y=1.0, **style)


OUTPUT_WIDTH_INCHES = 9.4
"""The widest figure that fits JupyterLab's output area (about 968 px in a 1400 px window with the
file browser open; matplotlib's ipympl canvas draws 100 px per inch): wider ones are cut off."""


PIXEL_RATIOS = (1, 2, 3)
"""Device pixel ratios at which a figure must be a whole number of pixels (ipympl multiplies the
figure's dpi by the screen's ratio)."""


def whole_pixel_inches(inches: float, dpi: float) -> float:
    """The size nearest ``inches`` that is a whole number of pixels at ``dpi`` times each of
    ``PIXEL_RATIOS``, nudged up by a few units in the last place where needed: Agg truncates a
    figure's size in pixels, and 9.2 in at 100 dpi is 919.9999999999999, so 919 px (a figure one
    pixel narrower than its box, which the browser then resamples, blurring every line of text).

    >>> 9.2 * 100, whole_pixel_inches(9.2, 100) * 100 >= 920, int(whole_pixel_inches(9.2, 100) * 200)
    (919.9999999999999, True, 1840)
    """
    pixels = round(inches * dpi)
    size = pixels / dpi
    while any(size * dpi * ratio < pixels * ratio for ratio in PIXEL_RATIOS):
        size = float(np.nextafter(size, np.inf))
    return size


def new_figure(width: float, height: float, **subplot_kw):
    """A figure of about ``width`` x ``height`` inches, a whole number of pixels wide and high
    (``whole_pixel_inches``), that is not auto-displayed (the explorer places its canvas itself).

    >>> import matplotlib; matplotlib.use("Agg")
    >>> figure = new_figure(9.2, 4.0)
    >>> np.asarray(figure.canvas.get_renderer().buffer_rgba()).shape  # height, width, RGBA
    (400, 920, 4)
    >>> plt.close(figure)
    """
    dpi = subplot_kw.pop("dpi", plt.rcParams["figure.dpi"])
    size = (whole_pixel_inches(width, dpi), whole_pixel_inches(height, dpi))
    with plt.ioff():
        fig = plt.figure(figsize=size, dpi=dpi, **subplot_kw)
    canvas = fig.canvas
    for name, value in (
        ("header_visible", False),
        ("footer_visible", False),
        ("toolbar_visible", False),
        ("resizable", False),
    ):
        if hasattr(canvas, name):
            setattr(canvas, name, value)
    send_full_frames(canvas)
    return fig


def canvas_widget(fig) -> widgets.Widget:
    """The ipympl canvas itself when the widget backend is active, else an Output showing a PNG.

    Headless tests run on Agg; there the explorer is still a complete widget tree.
    """
    if isinstance(fig.canvas, widgets.DOMWidget):
        return fig.canvas
    out = widgets.Output()
    return out


def cell_mesh(ax, capacity: int, **style):
    """A heatmap of up to ``capacity`` x ``capacity`` cells, all empty until ``show_cells`` fills
    some; cell (r, c) spans [c - 0.5, c + 0.5] x [r - 0.5, r + 0.5], as with ``imshow``.

    A mesh of quads, not an image: matplotlib resamples an image to the screen at every draw
    (4-6 ms for a 2 x 2 map in a 3-inch panel, 14-20 ms on a HiDPI screen); the mesh takes
    0.3-0.6 ms. ``style``: ``cmap``, ``vmin``, ``vmax`` and the like, as for ``pcolormesh``.
    """
    edges = np.arange(capacity + 1) - 0.5
    empty = np.ma.array(np.zeros((capacity, capacity)), mask=True)
    return ax.pcolormesh(edges, edges, empty, zorder=0, **style)


def show_cells(mesh, plane) -> None:
    """Show the 2-D ``plane`` in the top-left cells of a ``cell_mesh``; the others stay empty.

    >>> import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
    >>> figure, ax = plt.subplots()
    >>> mesh = cell_mesh(ax, 3)
    >>> show_cells(mesh, np.array([[1.0, 2.0]]))
    >>> mesh.get_array().filled(0).tolist()
    [[1.0, 2.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    >>> plt.close(figure)
    """
    capacity = mesh.get_array().shape
    h, w = np.shape(plane)
    if h > capacity[0] or w > capacity[1]:
        raise ValueError(f"plane is {h} x {w} cells; this mesh holds at most {capacity[0]} x {capacity[1]}")
    plane = np.asarray(plane, dtype=float)
    shown = np.isfinite(plane)  # NaN and inf: an empty cell, like the ones past the plane
    values, hidden = np.zeros(capacity), np.ones(capacity, dtype=bool)
    values[:h, :w] = np.where(shown, plane, 0.0)  # zeros under the mask: the colour scale never sees NaN
    hidden[:h, :w] = ~shown
    mesh.set_array(np.ma.array(values, mask=hidden))


class MapPanel:
    """One axes showing a small map as a heatmap with its values printed in the cells.

    Artists are made once, the heatmap for up to ``capacity`` x ``capacity`` cells and the
    values for up to ``max_side`` x ``max_side`` (bigger maps are shown without values), and
    shown or hidden as the map changes size; ticks are replaced by light index labels
    (matplotlib's tick machinery costs more than the rest of a redraw). Cell
    centres sit at whole coordinates: cell (r, c) spans [c - 0.5, c + 0.5] x [r - 0.5, r + 0.5].
    """

    def __init__(
        self,
        ax,
        max_side: int = 10,
        cmap: str = "Greys",
        fontsize: int = 8,
        labels: bool = True,
        capacity: int | None = None,
    ):
        self.ax = ax
        self.image = cell_mesh(ax, capacity or max_side, cmap=cmap, vmin=0, vmax=1)
        ax.set_axis_off()
        self.row_labels = [
            ax.text(-1.0, r, str(r), ha="center", va="center", fontsize=7, color="grey")
            for r in range(max_side)
        ]
        self.col_labels = [
            ax.text(c, -1.0, str(c), ha="center", va="center", fontsize=7, color="grey")
            for c in range(max_side)
        ]
        # under every other artist but the images: boxes and marks drawn over a map cover its
        # values in a whole draw as in a quick one (see ``frames.Layers``)
        self.texts = [
            [
                ax.text(c, r, "", ha="center", va="center", fontsize=fontsize, zorder=0.5)
                for c in range(max_side)
            ]
            for r in range(max_side)
        ]
        self.max_side = max_side
        self.labels = labels
        self.shape = (0, 0)
        self.colours = np.full((max_side, max_side), "black", dtype=object)

    def value_artists(self) -> list:
        """The heatmap and the printed values (what ``set_map`` and ``set_values`` change)."""
        return [self.image, *(text for row in self.texts for text in row)]

    def set_map(self, plane, vmin=None, vmax=None, show_values: bool = True) -> None:
        """Show ``plane`` (2-D); values printed when it fits and ``show_values``."""
        h, w = plane.shape
        self.shape = (h, w)
        show_cells(self.image, plane)
        low = float(np.min(plane)) if vmin is None else vmin
        high = float(np.max(plane)) if vmax is None else vmax
        self.image.set_clim(low, high + (high - low) * 0.6 + 1e-6)
        fits = h <= self.max_side and w <= self.max_side
        if fits:  # digits white on dark cells, black on light ones
            self.colours[:h, :w] = digit_colours(self.image.cmap, self.image.norm(np.asarray(plane, float)))
        self.set_values(plane if (show_values and fits) else None)
        for index, label in enumerate(self.row_labels):
            label.set_visible(self.labels and index < h and fits)
        for index, label in enumerate(self.col_labels):
            label.set_visible(self.labels and index < w and fits)
        self.ax.set_xlim(-1.5, w - 0.5 if not fits else w + 0.5)
        self.ax.set_ylim(h + 0.5 if fits else h - 0.5, -1.5)

    def set_values(self, values, fmt: str = "{:g}", on_map: bool = True) -> None:
        """Print ``values`` (same shape as the map) in the cells; None hides them. ``on_map``: the
        digits stand on the map's colours (white on dark cells); else on white, in black."""
        h, w = self.shape
        for r, row in enumerate(self.texts):
            for c, text in enumerate(row):
                visible = values is not None and r < h and c < w
                text.set_visible(visible)
                if visible:
                    text.set_text(fmt.format(values[r, c]))
                    colour = self.colours[r, c] if on_map else "black"
                    if text.get_color() != colour:  # set_color marks the text changed even when equal
                        text.set_color(colour)
