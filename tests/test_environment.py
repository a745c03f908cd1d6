"""The setup files agree with each other and with what the README promises."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pins(lines) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#")[0].strip().lstrip("- ").strip()
        match = re.match(r"^([A-Za-z0-9_.-]+)\s*==\s*([^\s;]+)", line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def environment_yml() -> str:
    return (ROOT / "environment.yml").read_text()


def test_environment_yml_pins_equal_requirements():
    runtime = pins((ROOT / "requirements.txt").read_text().splitlines())
    binder = pins(environment_yml().splitlines())
    assert runtime == binder
    assert {"numpy", "mxnet", "matplotlib", "jupyterlab", "ipywidgets", "ipympl"} <= set(runtime)
    assert runtime["numpy"] == "1.23.5" and runtime["mxnet"] == "1.9.1"
    assert int(runtime["matplotlib"].split(".")[1]) < 11 and runtime["matplotlib"].startswith("3.")


def test_environment_yml_is_binder_ready():
    text = environment_yml()
    assert re.search(r"^\s*-\s*python=3\.11\s*$", text, re.M), "Binder defaults to 3.10 without it"
    assert "-e ." not in text, "installing the repo makes Binder rebuild on every commit"
    pip_section = text.split("- pip:")[1]
    for package in ("numpy", "mxnet", "matplotlib", "ipympl"):
        assert package in pip_section


def test_dev_requirements_include_runtime():
    dev = (ROOT / "requirements-dev.txt").read_text()
    assert "-r requirements.txt" in dev
    assert {"pytest", "hypothesis", "playwright", "nbclient"} <= set(pins(dev.splitlines()))


def test_readme_quick_start_is_two_commands_and_binder_opens_lab():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Quick start.*?```(?:bash|sh)?\n(.*?)```", readme, re.S)
    assert block, "README needs a Quick start code block"
    commands = [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]
    assert commands == ["bash scripts/course.sh", "bash scripts/test.sh"]
    binder = re.search(r"https://mybinder\.org/v2/gh/[^)\s]+", readme).group(0)
    assert "urlpath=lab/tree/notebooks/" in binder and binder.endswith(".ipynb")
    notebook = binder.split("urlpath=lab/tree/")[1]
    assert (ROOT / notebook).exists()


def test_setup_scripts_keep_token_auth_and_ci_runs_the_readme_command():
    course = (ROOT / "scripts" / "course.sh").read_text()
    assert "ServerApp.token" not in course and "IdentityProvider.token" not in course
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci and "apt-get install -y chromium" in ci
