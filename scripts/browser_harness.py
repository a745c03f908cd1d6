"""Drive JupyterLab in Debian's headless Chromium with Python Playwright.

Used by tests/test_browser.py, tests/test_course_launch.py and scripts/bench_browser.py (it lives
in scripts/ so that the scripts need nothing from tests/). JupyterLab is started
on 127.0.0.1 with a random token (authentication stays on) and
``--expose-app-in-browser`` so the page can run JupyterLab commands.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_environment(home: Path, env: dict | None = None) -> dict:
    """Environment for a JupyterLab of the tests' own: config, runtime and settings under ``home``
    (no news popup over the figures, no autosave writing executed outputs back)."""
    environment = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), **(env or {})}
    environment["JUPYTER_RUNTIME_DIR"] = str(home / "runtime")
    settings = home / "settings"
    environment["JUPYTERLAB_SETTINGS_DIR"] = str(settings)
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false", "checkForUpdates": false}')
    docs = settings / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings"
    docs.parent.mkdir(parents=True)
    docs.write_text('{"autosave": false}')
    return environment


@contextlib.contextmanager
def running_server(command: list[str], environment: dict, log_path: Path, token: str, port: int):
    """Start ``command`` (a Jupyter server on 127.0.0.1:port); yield its base URL once
    /api/status answers; stop it afterwards."""
    log = open(log_path, "w")
    process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.time() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + log_path.read_text()) from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextlib.contextmanager
def jupyter_lab(root: Path = ROOT, env: dict | None = None):
    """Start JupyterLab on a free port; yield (base_url, token); stop it afterwards."""
    port, token = free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as home:
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--ServerApp.open_browser=False",
            "--allow-root",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        environment = lab_environment(Path(home), env)
        with running_server(command, environment, Path(home) / "lab.log", token, port) as base:
            yield base, token


def copy_course(target: Path) -> Path:
    """A throwaway copy of the course (no .git, no .venv) for JupyterLab to serve and run."""
    import shutil

    ignore = shutil.ignore_patterns(".git", ".venv*", "__pycache__", ".hypothesis", ".pytest_cache", "tests")
    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def shutdown_kernels(base: str, token: str) -> None:
    """Delete every session (and so its kernel) through the REST API."""
    import json

    with urllib.request.urlopen(f"{base}/api/sessions?token={token}") as response:
        sessions = json.load(response)
    for session in sessions:
        request = urllib.request.Request(
            f"{base}/api/sessions/{session['id']}?token={token}", method="DELETE"
        )
        urllib.request.urlopen(request).close()


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 1000, device_scale_factor: float = 1):
    """A page of headless Chromium; ``device_scale_factor`` is the screen's device pixel ratio
    (2 for most laptops' screens: ipympl then renders every figure at twice the dpi)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": width, "height": height},
            device_scale_factor=device_scale_factor,
        )
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def open_notebook(page, base: str, token: str, relative: str, timeout: float = 90) -> None:
    """Open a notebook alone in a fresh JupyterLab workspace; wait for its kernel to be idle."""
    workspace = "w" + secrets.token_hex(4)  # no tabs restored from an earlier notebook
    page.goto(
        f"{base}/lab/workspaces/{workspace}/tree/{relative}?reset&token={token}", timeout=timeout * 1000
    )
    page.wait_for_function(
        """(path) => {
            const app = window.jupyterapp;
            const panel = app && app.shell.currentWidget;
            return panel && panel.context && panel.context.path === path
                && panel.sessionContext && panel.sessionContext.session
                && panel.sessionContext.session.kernel
                && panel.sessionContext.session.kernel.status === 'idle';
        }""",
        arg=relative,
        timeout=timeout * 1000,
    )


def run_all(page, timeout: float = 240) -> None:
    """Run every cell and wait until the kernel is idle with every code cell numbered."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        """() => {
            const panel = window.jupyterapp.shell.currentWidget;
            const kernel = panel.sessionContext.session.kernel;
            if (kernel.status !== 'idle') return false;
            const cells = panel.content.widgets.filter(c => c.model.type === 'code');
            return cells.every(c => c.model.executionCount !== null
                && !c.promptNode.textContent.includes('*'));
        }""",
        timeout=timeout * 1000,
        polling=500,
    )


def errors_on_page(page) -> list[str]:
    """Error outputs, stderr tracebacks and widget rendering failures in the open notebook."""
    return page.evaluate(
        """() => {
            const found = [];
            document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
                .forEach(e => found.push('error output: ' + e.textContent.slice(0, 300)));
            document.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
                .forEach(e => {
                    const text = e.textContent;
                    if (text.includes('Traceback')) found.push('stderr: ' + text.slice(0, 300));
                });
            document.querySelectorAll('.jp-OutputArea-output').forEach(e => {
                for (const bad of ['Error displaying widget', 'model not found', 'Loading widget...'])
                    if (e.innerText.includes(bad)) found.push('widget: ' + bad);
            });
            return found;
        }"""
    )


def explorers(page):
    return page.locator(".roi-explorer")


def figure_png(explorer) -> bytes:
    """A screenshot of the explorer's ipympl figure canvas."""
    canvas = explorer.locator("canvas").first
    canvas.scroll_into_view_if_needed()
    return canvas.screenshot()


def key_handle(explorer):
    return explorer.locator(".roi-key-slider .noUi-handle").first


def wait_for_change(explorer, before: bytes, timeout: float = 10.0) -> float:
    """Seconds until the figure's pixels differ from ``before`` (raises on timeout)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if figure_png(explorer) != before:
            return time.perf_counter() - start
        time.sleep(0.01)
    raise AssertionError("the figure did not change after the slider moved")


_WATCH_CANVAS = """(canvas) => {
    const context = canvas.getContext('2d');
    const checksum = () => {
        const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
        let sum = 0;
        for (let i = 0; i < data.length; i += 3) sum = (sum * 31 + data[i]) | 0;
        return sum;
    };
    const first = checksum();
    const installed = performance.now();
    let pressed = null;
    let drawn = false;
    const onKey = (event) => { if (pressed === null) pressed = event.timeStamp; };
    document.addEventListener('keydown', onKey, true);
    context.drawImage = function (...args) {
        drawn = true;
        return CanvasRenderingContext2D.prototype.drawImage.apply(this, args);
    };
    window.__roiFigureChanged = new Promise((resolve) => {
        let frames = 0;
        const finish = (value) => {
            document.removeEventListener('keydown', onKey, true);
            delete context.drawImage;
            resolve(value);
        };
        const tick = () => {
            frames += 1;
            if ((drawn || frames % 10 === 0) && checksum() !== first) {
                finish(performance.now() - (pressed === null ? installed : pressed));
                return;
            }
            drawn = false;
            if (performance.now() - installed > 10000) finish(-1);
            else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
    });
}"""
"""Installed on an explorer's figure canvas before a key press: resolves to the milliseconds from
the keydown event (its own timestamp: what the learner did, without Playwright's round trips
before it) to the first animation frame that shows new pixels, or -1 after 10 s. The canvas is
checksummed after each image ipympl draws on it (and every 10th frame in any case), not on every
frame: a checksum of a large canvas takes 5-10 ms of the page's main thread, which would slow
the very decoding and painting being timed."""


def key_step(page, explorer) -> float:
    """One arrow-key step on the key slider (right, or left at the top end).

    Returns milliseconds from the keydown event until the figure canvas shows new pixels,
    measured inside the page (see ``_WATCH_CANVAS``).
    """
    handle = key_handle(explorer)
    elapsed = slider_step(page, explorer, handle)
    if elapsed < 0:
        after = handle.get_attribute("aria-valuenow")
        status = explorer.locator(".widget-html-content").last.inner_text()
        raise AssertionError(
            f"the figure did not change within 10 s of one key step on the slider "
            f"(slider now {after}; status line now: {status!r})"
        )
    return elapsed


def _watch_figure(explorer) -> None:
    """Start watching the explorer's figure for new pixels (``_WATCH_CANVAS``), once its canvas
    has a size: while ipympl lays the figure out, the canvas can be 0 pixels wide for a moment,
    and there are no pixels to read yet."""
    canvas = explorer.locator("canvas").first
    canvas.element_handle().wait_for_element_state("visible")
    canvas.page.wait_for_function("(c) => c.width > 0 && c.height > 0", arg=canvas.element_handle())
    canvas.evaluate(_WATCH_CANVAS)


def slider_step(page, explorer, handle, direction: int = 1) -> float:
    """One arrow-key step on the slider whose noUiSlider handle is ``handle``: right for
    ``direction`` 1, left for -1 (the other way at either end of its range). Milliseconds from the
    keydown event to new pixels on the explorer's figure, or -1 when the figure did not change
    within 10 s."""
    handle.scroll_into_view_if_needed()
    names = ("aria-valuenow", "aria-valuemin", "aria-valuemax")
    now, low, top = (float(handle.get_attribute(name)) for name in names)
    if (direction > 0 and now >= top) or (direction < 0 and now <= low):
        direction = -direction
    _watch_figure(explorer)
    handle.focus()
    page.keyboard.press("ArrowRight" if direction > 0 else "ArrowLeft")
    return page.evaluate("() => window.__roiFigureChanged")


def number_box_step(page, explorer, box, value: str) -> float:
    """Type ``value`` into the number box ``box`` (a text input) and press Enter: milliseconds from
    the Enter keydown to new pixels on the explorer's figure, or -1 after 10 s without change."""
    box.scroll_into_view_if_needed()
    box.fill(value)
    _watch_figure(explorer)
    box.press("Enter")
    return page.evaluate("() => window.__roiFigureChanged")


_LIST_CONTROLS = """(explorer) => {
    const found = [];
    explorer.querySelectorAll('.widget-slider').forEach((slider, index) => {
        const label = slider.querySelector('.widget-label');
        const handle = slider.querySelector('.noUi-handle');
        if (!handle) return;
        handle.setAttribute('data-roi-slider', String(index));
        const row = slider.parentElement;
        const box = row && row.querySelector('.roi-number-box input');
        if (box) box.setAttribute('data-roi-box', String(index));
        found.push({
            index: index,
            label: label ? label.textContent.trim() : `slider ${index}`,
            disabled: slider.querySelector('.noUi-target[disabled]') !== null
                || handle.hasAttribute('disabled'),
            box: box !== null,
            box_disabled: box !== null && box.disabled,
        });
    });
    return found;
}"""


def controls(explorer) -> list[dict]:
    """Every slider of an explorer with its label, and whether it has a number box beside it
    (``NumberControl``) and whether each is disabled; tags their elements for ``control_handle``
    and ``control_box``."""
    return explorer.evaluate(_LIST_CONTROLS)


def control_handle(explorer, index: int):
    return explorer.locator(f'[data-roi-slider="{index}"]')


def control_box(explorer, index: int):
    return explorer.locator(f'[data-roi-box="{index}"]')


def next_value(handle, direction: int = 1) -> str | None:
    """A value one unit from the slider's, up for ``direction`` 1 and down for -1 (the other way
    near either end), as a learner types it into the number box beside it, or None when the
    slider's range is narrower than that."""
    names = ("aria-valuenow", "aria-valuemin", "aria-valuemax")
    now, low, top = (float(handle.get_attribute(name)) for name in names)
    value = now + direction
    if not low <= value <= top:
        value = now - direction
    return f"{value:g}" if low <= value <= top else None


def drag(page, explorer, dx: float) -> float:
    """Drag the key slider's handle by ``dx`` pixels; return seconds until new pixels show."""
    handle = key_handle(explorer)
    handle.scroll_into_view_if_needed()
    before = figure_png(explorer)
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=5)
    page.mouse.up()
    return wait_for_change(explorer, before)
