"""The setup files agree with each other and with what the README promises; the setup's
interpreter choice, its virtual environments and its pip stamp behave as documented.

Nothing here needs the network: requirement files are read with ``packaging``'s marker
evaluation, interpreters are described rather than installed, and pip is replaced by a recorder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import course_env as ce  # noqa: E402

# (python_version, sys_platform, platform_machine, platform_system) a learner may have.
ENVIRONMENTS = [
    (version, platform, machine)
    for version in ("3.11", "3.12", "3.13")
    for platform, machine in (
        ("linux", "x86_64"),
        ("linux", "aarch64"),
        ("darwin", "x86_64"),
        ("darwin", "arm64"),
        ("win32", "AMD64"),
    )
]


def marker_environment(version: str, platform: str, machine: str) -> dict:
    system = {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}[platform]
    return {
        "python_version": version,
        "python_full_version": version + ".0",
        "sys_platform": platform,
        "platform_machine": machine,
        "platform_system": system,
        "os_name": "nt" if platform == "win32" else "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }


def requirement_lines(name: str) -> list[str]:
    """The requirement lines of one file (options such as -r and -c and comments left out)."""
    lines = []
    for line in (ROOT / name).read_text().splitlines():
        line = line.split(" #")[0].strip()
        if line and not line.startswith(("#", "-")):
            lines.append(line)
    return lines


def resolved_pins(name: str, environment: dict) -> dict[str, str]:
    """Package -> exact version for one environment; every line must be an exact pin."""
    pins = {}
    for line in requirement_lines(name):
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{name}: {line} is not pinned"
        if requirement.marker is None or requirement.marker.evaluate(environment):
            key = requirement.name.lower().replace("_", "-")
            assert key not in pins, f"{name}: {key} pinned twice for {environment['python_version']}"
            pins[key] = specifiers[0].version
    return pins


def runtime_pins(environment: dict) -> dict[str, str]:
    return resolved_pins("requirements.txt", environment)


def environment_yml_pins() -> dict[str, str]:
    found = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        match = re.match(r"^\s*-\s*([A-Za-z0-9_.-]+)==([^\s;]+)", line.split("#")[0])
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


LINUX_311 = marker_environment("3.11", "linux", "x86_64")


def test_environment_yml_pins_equal_requirements_for_python_3_11():
    runtime = runtime_pins(LINUX_311)
    assert runtime == environment_yml_pins()
    assert {"numpy", "mxnet", "matplotlib", "jupyterlab", "ipywidgets", "ipympl"} <= set(runtime)
    assert runtime["numpy"] == "1.23.5" and runtime["mxnet"] == "1.9.1"
    assert runtime["matplotlib"].startswith("3.") and int(runtime["matplotlib"].split(".")[1]) < 11


@pytest.mark.parametrize("version, platform, machine", ENVIRONMENTS)
def test_every_python_gets_one_exact_set(version, platform, machine):
    environment = marker_environment(version, platform, machine)
    runtime = runtime_pins(environment)
    dev = resolved_pins("requirements-dev.txt", environment)
    lock = resolved_pins("requirements-lock.txt", environment)
    assert {"numpy", "matplotlib", "jupyterlab", "ipywidgets", "ipympl", "isal"} <= set(runtime)
    assert set(lock).isdisjoint(runtime) and set(lock).isdisjoint(dev), "one pin per package"
    numpy_major = int(runtime["numpy"].split(".")[0])
    matplotlib_minor = int(runtime["matplotlib"].split(".")[1])
    if version == "3.11":
        assert runtime["numpy"] == "1.23.5" and matplotlib_minor < 11
    else:
        assert numpy_major == 2 and matplotlib_minor >= 11
    assert ("mxnet" in runtime) == (version == "3.11" and machine == "x86_64")


@pytest.mark.parametrize("version, platform, machine", ENVIRONMENTS)
def test_the_setup_says_live_mxnet_exactly_where_requirements_install_it(version, platform, machine):
    interpreter = ce.Interpreter(
        "python", (*map(int, version.split(".")), 0), machine=machine, platform=platform
    )
    installs_mxnet = "mxnet" in runtime_pins(marker_environment(version, platform, machine))
    assert interpreter.live_oracle == installs_mxnet
    assert ("live mxnet" in interpreter.meaning()) == installs_mxnet
    assert ("recorded outputs" in interpreter.meaning()) != installs_mxnet


def test_requirement_files_explain_the_choice_and_include_each_other():
    runtime = (ROOT / "requirements.txt").read_text()
    assert "-c requirements-lock.txt" in runtime
    assert "no wheels past Python 3.11" in runtime and "environment markers" in runtime
    dev = (ROOT / "requirements-dev.txt").read_text()
    assert "-r requirements.txt" in dev
    assert {"pytest", "hypothesis", "playwright", "nbclient", "onnx", "onnxruntime"} <= set(
        resolved_pins("requirements-dev.txt", LINUX_311)
    )
    files = [p.name for p in ce.requirement_files(ROOT / "requirements-dev.txt")]
    assert files == ["requirements-dev.txt", "requirements.txt", "requirements-lock.txt"]


def test_environment_yml_is_binder_ready():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*python=3\.11\s*$", text, re.M), "Binder defaults to 3.10 without it"
    assert "-e ." not in text, "installing the repo makes Binder rebuild on every commit"
    pip_section = text.split("- pip:")[1]
    for package in ("numpy", "mxnet", "matplotlib", "ipympl"):
        assert package in pip_section


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", readme(), re.S | re.M)
    assert match, f"README needs a section '## {title}'"
    return match.group(1)


def code_blocks(text: str) -> list[list[str]]:
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    return [
        [line for line in block.splitlines() if line.strip() and not line.startswith("#")] for block in blocks
    ]


def test_readme_quick_start_gives_the_two_commands_per_os():
    blocks = code_blocks(section("Quick start"))
    assert ["python3 scripts/course.py", "python3 scripts/test.py"] in blocks, "Linux and macOS"
    assert ["py scripts\\course.py", "py scripts\\test.py"] in blocks, "Windows"
    text = section("Quick start")
    assert "ROI_PYTHON" in text and "3.11" in text and "3.13" in text
    for script in ("course.py", "test.py", "course.sh", "test.sh"):
        assert (ROOT / "scripts" / script).exists()


def test_readme_has_colab_and_troubleshooting_sections():
    colab = section("Colab and VS Code")
    assert "%matplotlib widget" in colab and "git clone" in colab and "not been tested" in colab
    trouble = section("Troubleshooting")
    assert "model not found" in trouble and "git checkout -- notebooks/" in trouble
    assert "fonts-noto-cjk" in trouble


def test_binder_badge_names_its_repository_and_opens_the_start_page():
    binder = re.search(r"https://mybinder\.org/v2/gh/([^/]+/[^/]+)/[^)\s]+", readme())
    assert binder, "README needs the Binder badge"
    url, repository = binder.group(0), binder.group(1)
    assert "urlpath=lab/tree/notebooks/" in url and url.endswith(".ipynb")
    assert (ROOT / url.split("urlpath=lab/tree/")[1]).exists()
    assert f"github.com/{repository}" in readme(), "the README says which repository the badge launches"


def test_setup_keeps_token_auth_and_ci_runs_both_legs():
    for script in ("course.py", "course_env.py", "course.sh"):
        text = (ROOT / "scripts" / script).read_text()
        assert "ServerApp.token" not in text and "IdentityProvider.token" not in text
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/test.py" in ci and "apt-get install -y chromium" in ci
    assert "ROI_PYTHON" in ci and "--newest" in ci, "the second leg runs on the newest CPython"


# The interpreter choice


def python(version, machine="x86_64", platform="linux", implementation="CPython", has_venv=True):
    parts = tuple(int(p) for p in version.split("."))
    return ce.Interpreter(f"/opt/python{version}", parts, implementation, machine, platform, has_venv)


@pytest.mark.parametrize(
    "found, chosen",
    [
        (["3.13.0", "3.11.7", "3.12.1"], "3.11.7"),  # x86-64: the live oracle wins
        (["3.12.1", "3.13.0"], "3.13.0"),  # otherwise the newest
        (["3.10.13", "3.12.1"], "3.12.1"),
        (["3.14.0", "3.12.1"], "3.12.1"),  # not supported (yet)
    ],
)
def test_choose_prefers_3_11_for_the_live_oracle_then_the_newest(found, chosen):
    assert ce.choose([python(v) for v in found]).version_text == chosen


def test_without_mxnet_wheels_the_newest_python_is_chosen():
    assert ce.choose([python("3.11.7", "arm64", "darwin"), python("3.13.0", "arm64", "darwin")]).minor == (
        3,
        13,
    )
    assert ce.choose([python("3.11.7", "AMD64", "win32"), python("3.12.1", "AMD64", "win32")]).minor == (
        3,
        12,
    )


def test_no_suitable_python_names_what_to_install():
    with pytest.raises(
        ce.SetupError, match=r"needs CPython 3\.11, 3\.12 or 3\.13.*found: CPython 3\.10\.13.*ROI_PYTHON"
    ):
        ce.choose([python("3.10.13"), python("3.11.7", implementation="PyPy")])
    with pytest.raises(ce.SetupError, match=r"found: none.*[Ii]nstall Python"):
        ce.choose([])
    with pytest.raises(ce.SetupError, match=r"no venv module: sudo apt-get install python3\.11-venv"):
        ce.choose([python("3.11.7", has_venv=False)])


def test_the_running_python_is_probed_as_it_is():
    found = ce.probe([sys.executable])
    assert found.version == tuple(sys.version_info[:3]) and found.executable == sys.executable
    assert ce.probe([str(ROOT / "no-such-python")]) is None


def fake_python(tmp_path: Path, version: list[int]) -> str:
    """An executable that answers the setup's probe as a Python of ``version`` would."""
    answer = json.dumps(
        {
            "executable": "/fake/python",
            "version": version,
            "implementation": "CPython",
            "machine": "x86_64",
            "platform": "linux",
            "venv": True,
        }
    )
    script = tmp_path / "python"
    script.write_text(f"#!/bin/sh\necho '{answer}'\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.skipif(os.name == "nt", reason="the fake interpreter is a shell script")
def test_roi_python_chooses_the_interpreter_and_its_own_environment(tmp_path):
    interpreter, environment = ce.find_interpreter({"ROI_PYTHON": fake_python(tmp_path, [3, 13, 0])})
    assert interpreter.version == (3, 13, 0) and environment == ROOT / ".venv-3.13"
    with pytest.raises(ce.SetupError, match=r"ROI_PYTHON=.* is CPython 3\.10\.4; the course needs"):
        ce.find_interpreter({"ROI_PYTHON": fake_python(tmp_path, [3, 10, 4])})
    with pytest.raises(ce.SetupError, match=r"ROI_PYTHON=/nowhere/python does not run"):
        ce.find_interpreter({"ROI_PYTHON": "/nowhere/python"})
    interpreter, environment = ce.find_interpreter({})
    assert interpreter.supported and environment == ROOT / ".venv"


@pytest.mark.parametrize("script", ["course.py", "test.py"])
def test_commands_stop_with_a_clear_message_when_the_python_does_not_fit(script):
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script)],
        env={**os.environ, "ROI_PYTHON": "/nowhere/python3.12"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert (
        "ROI_PYTHON=/nowhere/python3.12 does not run" in done.stderr and "3.11, 3.12 or 3.13" in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_newest_finds_a_supported_cpython():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "course_env.py"), "--newest"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    newest = ce.probe([done.stdout.strip()])
    assert newest.supported and newest.version >= tuple(sys.version_info[:3])


# The virtual environment and the pip stamp


def test_pip_runs_only_when_the_requirements_changed(tmp_path):
    (tmp_path / "requirements.txt").write_text("-c lock.txt\nnumpy==2.5.5\n")
    (tmp_path / "lock.txt").write_text("packaging==26.4\n")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\npytest==9.2.0\n")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False)
    interpreter = ce.probe([str(ce.venv_python(environment))])
    commands, said = [], []

    def prepare(*requirements):
        commands.clear()
        ce.prepare(interpreter, environment, requirements, commands.append, said.append, root=tmp_path)
        return [c[2:4] for c in commands]

    pip = ["pip", "install"]
    assert prepare("requirements.txt", "requirements-dev.txt") == [pip]
    assert commands[0][-1] == tmp_path / "requirements-dev.txt"
    assert prepare("requirements.txt", "requirements-dev.txt") == [] and "pip skipped" in said[-1]
    assert prepare("requirements.txt") == [], "the dev set includes the runtime set"
    (tmp_path / "lock.txt").write_text("packaging==26.5\n")  # an included file changed
    assert prepare("requirements.txt") == [pip]
    assert prepare("requirements.txt") == []
    assert prepare("requirements.txt", "requirements-dev.txt") == [pip]
    assert prepare("requirements.txt", "requirements-dev.txt") == []


def test_an_environment_of_another_python_is_made_again(tmp_path):
    (tmp_path / "requirements.txt").write_text("numpy==2.5.5\n")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False)
    other = python("3.12.1") if sys.version_info[:2] != (3, 12) else python("3.13.0")
    commands, said = [], []
    ce.prepare(other, environment, ["requirements.txt"], commands.append, said.append, root=tmp_path)
    assert commands[0] == [other.executable, "-m", "venv", "--clear", str(environment)]
    assert "made with another Python" in said[0]
    (tmp_path / "not-a-venv").mkdir()
    with pytest.raises(ce.SetupError, match="is not a virtual environment"):
        ce.prepare(other, tmp_path / "not-a-venv", ["requirements.txt"], commands.append, root=tmp_path)


def test_windows_environments_keep_python_in_scripts():
    assert ce.venv_python(Path("v"), windows=True) == Path("v") / "Scripts" / "python.exe"
    assert ce.candidate_commands(windows=True)[:2] == [["py", "-3.11"], ["py", "-3.13"]]
    assert ce.venv_python(Path("v"), windows=False) == Path("v") / "bin" / "python"
    assert ce.candidate_commands(windows=False)[:2] == [["python3.11"], ["python3.13"]]


def test_setup_or_exit_runs_the_steps_and_ends_a_failed_setup_clearly(monkeypatch, capsys):
    steps = []
    monkeypatch.setattr(ce, "setup", lambda requirements: f"python for {list(requirements)}")
    assert ce.setup_or_exit(["r.txt"], lambda: steps.append("chromium")) == "python for ['r.txt']"
    assert steps == ["chromium"]

    def cannot(requirements):
        raise ce.SetupError("needs CPython 3.11, 3.12 or 3.13")

    monkeypatch.setattr(ce, "setup", cannot)
    with pytest.raises(SystemExit) as stop:
        ce.setup_or_exit(["r.txt"])
    assert stop.value.code == 2 and "needs CPython" in capsys.readouterr().err

    def pip_fails():
        raise subprocess.CalledProcessError(1, ["pip", "install"])

    monkeypatch.setattr(ce, "setup", lambda requirements: "python")
    with pytest.raises(SystemExit) as stop:
        ce.setup_or_exit(["r.txt"], pip_fails)
    assert stop.value.code == 1 and "setup failed" in capsys.readouterr().err
