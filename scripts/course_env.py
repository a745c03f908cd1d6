"""Find a Python for the course, set up its virtual environment, say what it means.

Shared by ``scripts/course.py`` (open the course) and ``scripts/test.py`` (run the tests). Standard
library only, so any Python 3.9+ can run it, on Linux, macOS and Windows.

* Which interpreter: ``ROI_PYTHON=/path/to/python`` if set; otherwise the first that runs of
  ``python3.11``, ``python3.13``, ``python3.12``, ``python3`` (on Windows ``py -3.11``, ...) and the
  Python running this script. CPython 3.11, 3.12 and 3.13 are supported; 3.11 is preferred where
  it brings the live oracle (mxnet 1.9.1 has wheels for x86-64 Linux and macOS only), otherwise
  the newest.
* Which virtual environment: ``.venv`` for the interpreter found that way, ``.venv-X.Y`` for one
  chosen with ``ROI_PYTHON`` (so two versions never share one).
* pip runs only when the requirement files changed since the last install into that
  environment: a hash of them is kept in the environment (``roi-course-requirements.txt``).

``python scripts/course_env.py --newest`` prints the newest supported CPython this machine has
(also looking in pyenv's versions), for the second CI leg.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED = ((3, 11), (3, 12), (3, 13))
LIVE_ORACLE_VERSION = (3, 11)
LIVE_ORACLE_MACHINES = ("x86_64",)
"""``platform.machine()`` values with an mxnet 1.9.1 wheel, as in requirements.txt's marker (Windows
reports AMD64 and has no mxnet 1.9.1 wheel)."""
STAMP_NAME = "roi-course-requirements.txt"
START_PAGE = "notebooks/00_start_here.ipynb"
JUPYTER_CONFIG = ROOT / "scripts" / "jupyter_config"
"""A Jupyter config directory: ``jupyter_server_config.py`` strips outputs when a chapter is saved."""

_PROBE = (
    "import json, platform, sys; print(json.dumps({'executable': sys.executable, "
    "'version': list(sys.version_info[:3]), 'implementation': platform.python_implementation(), "
    "'machine': platform.machine(), 'platform': sys.platform, "
    "'venv': __import__('importlib.util').util.find_spec('ensurepip') is not None}))"
)


class SetupError(RuntimeError):
    """The setup cannot go on; the message says what to install or change."""


@dataclass(frozen=True)
class Interpreter:
    """One Python found on this machine."""

    executable: str
    version: tuple[int, int, int]
    implementation: str = "CPython"
    machine: str = "x86_64"
    platform: str = "linux"
    has_venv: bool = True

    @property
    def minor(self) -> tuple[int, int]:
        return self.version[0], self.version[1]

    @property
    def version_text(self) -> str:
        return ".".join(map(str, self.version))

    @property
    def supported(self) -> bool:
        return self.implementation == "CPython" and self.minor in SUPPORTED

    @property
    def live_oracle(self) -> bool:
        """Does requirements.txt install mxnet for this interpreter?"""
        return self.minor == LIVE_ORACLE_VERSION and self.machine in LIVE_ORACLE_MACHINES

    def meaning(self) -> str:
        """What this interpreter means for the course, in a few words."""
        if self.live_oracle:
            return "numpy 1.23.5 and live mxnet 1.9.1: the notebooks compare against mxnet itself"
        if self.minor == LIVE_ORACLE_VERSION:
            return (
                f"numpy 1.23.5, no mxnet ({self.machine} has no mxnet 1.9.1 wheel): "
                "the notebooks compare against mxnet's recorded outputs"
            )
        return "numpy 2, no mxnet: the notebooks compare against mxnet's recorded outputs"


def probe(command: Sequence[str]) -> Interpreter | None:
    """Run ``command -c ...`` and describe the Python it starts, or None if it does not run."""
    try:
        done = subprocess.run(
            [*command, "-c", _PROBE], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    try:
        found = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    return Interpreter(
        executable=found["executable"],
        version=tuple(found["version"]),
        implementation=found["implementation"],
        machine=found["machine"],
        platform=found["platform"],
        has_venv=found["venv"],
    )


def candidate_commands(windows: bool | None = None) -> list[list[str]]:
    """The commands tried, in order, when ROI_PYTHON is not set."""
    names = [f"{major}.{minor}" for major, minor in (SUPPORTED[0], *reversed(SUPPORTED[1:]))]
    if os.name == "nt" if windows is None else windows:
        commands = [["py", f"-{name}"] for name in names] + [["python"]]
    else:
        commands = [[f"python{name}"] for name in names] + [["python3"]]
    commands.append([sys.executable])
    return commands


def pyenv_pythons() -> list[str]:
    """Interpreters installed by pyenv (``$PYENV_ROOT/versions/*/bin/python``), if any."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = []
    for version in sorted((root / "versions").glob("3.*")):
        python = version / ("python.exe" if os.name == "nt" else "bin/python")
        if python.exists():
            found.append(str(python))
    return found


def preference(interpreter: Interpreter) -> tuple:
    """Sort key: the live-oracle 3.11 first where it has mxnet, then the newest version."""
    return (not interpreter.live_oracle, tuple(-part for part in interpreter.version))


def install_advice(machine: str, platform: str) -> str:
    if platform == "win32":
        return "install Python 3.12 or 3.13 from python.org (or: winget install Python.Python.3.13)"
    if platform == "darwin":
        wanted = "3.11" if machine in LIVE_ORACLE_MACHINES else "3.13"
        return f"install Python {wanted} from python.org (or: brew install python@{wanted})"
    return (
        "install Python 3.11 (live mxnet) or 3.12/3.13 with its venv module, e.g. "
        "sudo apt-get install python3.11 python3.11-venv (Debian/Ubuntu), or from python.org"
    )


def choose(found: Sequence[Interpreter]) -> Interpreter:
    """The preferred supported interpreter among ``found``; SetupError naming what to install if none."""
    usable = [i for i in found if i.supported and i.has_venv]
    if usable:
        return min(usable, key=preference)
    seen = ", ".join(f"{i.implementation} {i.version_text} ({i.executable})" for i in found) or "none"
    without_venv = [i for i in found if i.supported and not i.has_venv]
    hint = ""
    if without_venv:
        minor = "{}.{}".format(*without_venv[0].minor)
        hint = f" {without_venv[0].executable} has no venv module: sudo apt-get install python{minor}-venv."
    raise SetupError(
        "No suitable Python found: the course needs CPython 3.11, 3.12 or 3.13 "
        f"(found: {seen}).{hint} To fix it, {install_advice(sys_machine(), sys.platform)}; "
        "or point ROI_PYTHON at one (ROI_PYTHON=/path/to/python3.12)."
    )


def sys_machine() -> str:
    import platform

    return platform.machine()


def find_interpreter(environ: dict | None = None) -> tuple[Interpreter, Path]:
    """The interpreter to use and the virtual environment directory that belongs to it."""
    environ = os.environ if environ is None else environ
    chosen = environ.get("ROI_PYTHON")
    if chosen:
        interpreter = probe([chosen])
        if interpreter is None:
            raise SetupError(f"ROI_PYTHON={chosen} does not run: point it at a Python 3.11, 3.12 or 3.13.")
        if not interpreter.supported:
            raise SetupError(
                f"ROI_PYTHON={chosen} is {interpreter.implementation} {interpreter.version_text}; "
                "the course needs CPython 3.11, 3.12 or 3.13."
            )
        if not interpreter.has_venv:
            choose([interpreter])  # raises, naming the venv package
        return interpreter, ROOT / ".venv-{}.{}".format(*interpreter.minor)
    found = []
    for command in candidate_commands():
        if command[0] != sys.executable and os.name != "nt" and shutil.which(command[0]) is None:
            continue
        interpreter = probe(command)
        if interpreter is not None:
            found.append(interpreter)
    return choose(found), ROOT / ".venv"


def newest_interpreter() -> Interpreter:
    """The newest supported CPython on this machine: PATH names and pyenv's versions."""
    found = []
    for command in [*candidate_commands(), *([p] for p in pyenv_pythons())]:
        interpreter = probe(command)
        if interpreter is not None and interpreter.supported and interpreter.has_venv:
            found.append(interpreter)
    if not found:
        raise SetupError("no CPython 3.11-3.13 found on PATH or under pyenv")
    return max(found, key=lambda i: i.version)


def venv_python(venv: Path, windows: bool | None = None) -> Path:
    """The python of a virtual environment (Windows keeps it in Scripts/)."""
    windows = os.name == "nt" if windows is None else windows
    return venv / ("Scripts/python.exe" if windows else "bin/python")


def requirement_files(path: Path) -> list[Path]:
    """``path`` and every file it includes with ``-r`` or ``-c``, recursively, in order."""
    files = [path]
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split("#")[0].split()
        if len(words) == 2 and words[0] in ("-r", "-c", "--requirement", "--constraint"):
            included = path.parent / words[1]
            files += [f for f in requirement_files(included) if f not in files]
    return files


def requirements_hash(path: Path, interpreter: Interpreter) -> str:
    """A hash of the requirement files' contents and the interpreter they are installed for."""
    digest = hashlib.sha256(f"{interpreter.version_text} {interpreter.platform}\n".encode())
    for file in requirement_files(path):
        digest.update(file.name.encode() + b"\0" + file.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def _stamp_lines(venv: Path) -> list[str]:
    stamp = venv / STAMP_NAME
    return [line for line in stamp.read_text().splitlines() if line.strip()] if stamp.exists() else []


def installed_hashes(venv: Path) -> set[str]:
    """Hashes of the requirement sets installed into ``venv`` (see ``requirements_hash``)."""
    return {line.split()[0] for line in _stamp_lines(venv)}


Runner = Callable[[list], None]


def run(command: list) -> None:
    subprocess.run([str(part) for part in command], check=True)


def prepare(
    interpreter: Interpreter,
    venv: Path,
    requirements: Sequence[str],
    runner: Runner = run,
    say: Callable[[str], None] = print,
    root: Path = ROOT,
) -> Path:
    """Create ``venv`` if needed and install ``requirements`` (file names in ``root``, each
    including the ones before it) unless the environment is already in step with them.
    Returns the environment's python."""
    python = venv_python(venv)
    current = probe([str(python)]) if python.exists() else None
    if current is None or current.version != interpreter.version:
        if venv.exists() and not (venv / "pyvenv.cfg").exists():
            raise SetupError(f"{venv} exists but is not a virtual environment: move it away")
        if venv.exists():
            say(f"course: {venv.name} was made with another Python; making it again")
        runner([interpreter.executable, "-m", "venv", "--clear", str(venv)])
    wanted = {name: requirements_hash(root / name, interpreter) for name in requirements}
    if wanted[requirements[-1]] in installed_hashes(venv):
        say(f"course: {venv.name} is in step with {requirements[-1]}: pip skipped")
        return python
    runner([python, "-m", "pip", "install", "--quiet", "-r", root / requirements[-1]])
    # Older lines stay: a hash names file contents, so one that no longer matches never will.
    kept = [line for line in _stamp_lines(venv) if line.split()[0] not in wanted.values()]
    lines = kept + [f"{digest} {name}" for name, digest in wanted.items()]
    (venv / STAMP_NAME).write_text("\n".join(lines) + "\n")
    return python


def announce(interpreter: Interpreter, venv: Path) -> str:
    return (
        f"course: Python {interpreter.version_text} ({interpreter.executable}) in {venv.name}: "
        f"{interpreter.meaning()}."
    )


def setup(requirements: Sequence[str]) -> str:
    """Everything before the course or the tests start: the environment's python (as a string).

    ``ROI_COURSE_SETUP=0`` skips it and returns the running Python (the tests use this)."""
    if os.environ.get("ROI_COURSE_SETUP", "1") == "0":
        return sys.executable
    interpreter, venv = find_interpreter()
    print(announce(interpreter, venv), flush=True)
    return str(prepare(interpreter, venv, requirements))


def fail(error: SetupError) -> None:
    print(f"course: {error}", file=sys.stderr)
    sys.exit(2)


def setup_or_exit(requirements: Sequence[str], *more_steps) -> str:
    """``setup(requirements)``, then each of ``more_steps``; the environment's python.

    A setup the course cannot do ends the process with its message (exit 2); a failed install
    command (pip, apt-get) with the command that failed (exit 1)."""
    try:
        python = setup(requirements)
        for step in more_steps:
            step()
    except SetupError as error:
        fail(error)
    except subprocess.CalledProcessError as error:
        print(f"course: setup failed: {error}", file=sys.stderr)
        sys.exit(1)
    return python


def main(argv: Sequence[str]) -> int:
    if list(argv) == ["--newest"]:
        try:
            print(newest_interpreter().executable)
        except SetupError as error:
            fail(error)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
