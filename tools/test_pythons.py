"""Set the course up with each Python found on this machine and run the fast unit tests with it.

Usage: python tools/test_pythons.py [--venvs DIR] PYTHON [PYTHON ...]
(`make test-pythons` runs it on the Makefile's PYTHONS: the supported range.)

Each PYTHON is a command on PATH, a path, or a name pythonX.Y that pyenv has installed (pyenv's
shims run only the versions it has activated, so its versions folder is searched as well).
A Python not on this machine is reported absent; one outside requires-python in pyproject.toml
(tools/python_range.py) is reported unsupported and not tried. Every other one gets the README's
plain set-up in its own virtual environment DIR/pyX.Y (default .venvs/, made again whenever
requirements.txt or pyproject.toml change): pip install -r requirements.txt, then
pytest -m "not slow" tests, with this process's environment (VAE_DATA_DIR, ...).

Prints a summary table: version, result, pytest's counts, install and test times. Exits 1 if a
Python that was found failed, if none was tested, or, with VAE_REQUIRE_PYTHONS=1 (CI), if one
is absent.
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import python_range  # tools/ is this script's folder, hence on sys.path

ROOT = Path(__file__).resolve().parents[1]
INPUTS = [ROOT / "requirements.txt", ROOT / "pyproject.toml"]
FAST_TESTS = ["-m", "pytest", "-q", "-m", "not slow", "tests"]
PROBE = "import sys; print('.'.join(map(str, sys.version_info[:3])), sys.executable)"
COUNTS = re.compile(r"^=*\s*(\d+ \w+.*?) in \d+(?:\.\d+)?s\b")
# One line of the summary; the times are in seconds, None where the step did not run.
Row = collections.namedtuple("Row", "python version result detail install_s tests_s",
                             defaults=(None, None))


def probe(command):
    """(version, executable) of the interpreter ``command``, e.g. ('3.12.1', '/…/python3.12');
    None if it does not run (absent, or a pyenv shim of a version pyenv has not activated)."""
    try:
        out = subprocess.run([command, "-c", PROBE], capture_output=True, text=True, timeout=60,
                             check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return tuple(out.stdout.strip().split(maxsplit=1)) if out.returncode == 0 else None


def pyenv_pythons(name):
    """pyenv's interpreters for ``name`` = 'pythonX.Y' (newest patch release first), else []."""
    match = re.fullmatch(r"python(\d+\.\d+)", name)
    if not match:
        return []
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    release = re.compile(re.escape(match[1]) + r"\.\d+")
    releases = [d for d in versions.glob(match[1] + ".*")
                if release.fullmatch(d.name) and (d / "bin" / name).exists()]
    releases.sort(key=lambda d: int(d.name.rsplit(".", 1)[1]), reverse=True)
    return [str(d / "bin" / name) for d in releases]


def locate(name):
    """(version, executable) of the first interpreter for ``name`` that runs, or None."""
    on_path = shutil.which(name)
    for command in ([on_path] if on_path else []) + pyenv_pythons(name):
        found = probe(command)
        if found:
            return found
    return None


def run(command):
    """Run ``command`` in the repository, echoing its output; (exit status, output lines)."""
    print("$", " ".join(command), flush=True)
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as process:
        lines = []
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip())
    return process.returncode, lines


def venv_python(venv):
    """The interpreter of the virtual environment folder ``venv``."""
    return str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))


def install(executable, venv):
    """The README's plain set-up with ``executable`` in the folder ``venv``; pip's exit status.

    A stamp file keeps a finished environment until requirements.txt or pyproject.toml change
    or another interpreter is named; then the folder is made again from nothing."""
    stamp = venv / ".installed"
    if (stamp.exists() and stamp.read_text() == executable
            and all(stamp.stat().st_mtime > f.stat().st_mtime for f in INPUTS)):
        print(f"{venv}: already set up with {executable} for these requirements", flush=True)
        return 0
    shutil.rmtree(venv, ignore_errors=True)
    steps = [[executable, "-m", "venv", str(venv)],
             [venv_python(venv), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
             [venv_python(venv), "-m", "pip", "install", "--quiet", "-r", "requirements.txt"]]
    for step in steps:
        status = run(step)[0]
        if status:
            return status
    stamp.write_text(executable)
    return 0


def counts(lines):
    """pytest's closing counts in ``lines``, e.g. '213 passed, 2 skipped', or None."""
    found = [m[1] for m in map(COUNTS.match, lines) if m]
    return found[-1] if found else None


def check(name, venvs):
    """The summary Row for the Python ``name``, after setting it up and testing it if supported."""
    found = locate(name)
    if found is None:
        return Row(name, "-", "absent", "not on PATH, nor installed by pyenv")
    version, executable = found
    if not python_range.supported(tuple(int(n) for n in version.split("."))):
        spec = python_range.requires_python()
        return Row(name, version, "unsupported", f"outside {spec}: not tried")
    venv = venvs / ("py" + ".".join(version.split(".")[:2]))
    print(f"\n== {name}: Python {version} ({executable}) in {venv}", flush=True)
    start = time.monotonic()
    if install(executable, venv):
        return Row(name, version, "failed", "pip install -r requirements.txt failed",
                   time.monotonic() - start)
    installed = time.monotonic()
    status, lines = run([venv_python(venv), *FAST_TESTS])
    detail = counts(lines) or f"pytest exit status {status}"
    return Row(name, version, "failed" if status else "passed", detail, installed - start,
               time.monotonic() - installed)


def table(rows):
    """The summary rows as aligned text, times in seconds."""
    header = ("python", "version", "result", "unit tests", "install", "tests")
    cells = [header] + [row[:4] + tuple("-" if s is None else f"{s:.0f} s" for s in row[4:])
                        for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pythons", nargs="+", help="interpreters: commands, paths or pythonX.Y")
    parser.add_argument("--venvs", type=Path, default=ROOT / ".venvs",
                        help="folder for the virtual environments (default: .venvs/)")
    args = parser.parse_args(argv)
    if not os.environ.get("VAE_DATA_DIR"):
        print("note: VAE_DATA_DIR is not set; tests that load data need the offline mirror "
              "or the Keras cache", flush=True)
    rows = [check(name, args.venvs.resolve()) for name in args.pythons]
    print(f"\nSupported: Python {python_range.requires_python()} (pyproject.toml)")
    print(table(rows))
    if hasattr(os, "getloadavg"):
        print("load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    results = [row.result for row in rows]
    problems = []
    if "failed" in results:
        problems.append("a Python that was found failed")
    if "passed" not in results and "failed" not in results:
        problems.append("no supported Python was found, so nothing was tested")
    if "absent" in results and os.environ.get("VAE_REQUIRE_PYTHONS") == "1":
        problems.append("VAE_REQUIRE_PYTHONS=1 but a Python is absent")
    for problem in problems:
        print("FAILED:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
