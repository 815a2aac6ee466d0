"""The supported Python range: tools/python_range.py reads it as pip does (packaging is the
reference) and turns a Python outside it away with a message (`make install` runs it first); the
range in pyproject.toml is the one `make test-pythons` tries and the README states."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def tools(monkeypatch):
    """(python_range, test_pythons) loaded from tools/, as the scripts load each other."""
    monkeypatch.syspath_prepend(str(ROOT / "tools"))
    modules = []
    for name in ("python_range", "test_pythons"):
        spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, name, module)
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


def _pyproject(tmp_path, spec):
    path = tmp_path / "pyproject.toml"
    path.write_text(f'[project]\nname = "x"\nrequires-python = "{spec}"\n')
    return path


@pytest.mark.parametrize("spec", [">=3.11,<3.14", ">3.11.2", "<=3.13", ">=3.9, <3.12.4", "<3.10"])
def test_supported_agrees_with_packaging(tools, spec):
    python_range, _ = tools
    versions = [(3, minor, micro) for minor in range(8, 16) for micro in (0, 1, 2, 3, 4, 13)]
    ours = [python_range.supported(v, spec) for v in versions]
    reference = [Version(".".join(map(str, v))) in SpecifierSet(spec) for v in versions]
    assert ours == reference
    assert any(ours) and not all(ours)


@pytest.mark.parametrize("spec", ["~=3.11", "==3.11.*", "3.11", ">=3.11;<3.14", ""])
def test_a_spec_it_cannot_read_is_a_value_error(tools, spec):
    python_range, _ = tools
    with pytest.raises(ValueError, match="spec="):
        python_range.supported((3, 12, 0), spec)


def test_a_pyproject_without_requires_python_is_a_value_error(tools, tmp_path):
    python_range, _ = tools
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n')
    with pytest.raises(ValueError, match="requires-python"):
        python_range.requires_python(path)


def test_outside_the_range_main_says_so_and_exits_1(tools, tmp_path, monkeypatch, capsys):
    python_range, _ = tools
    assert python_range.main() == 0  # the Python running the tests is a supported one
    monkeypatch.setattr(python_range, "PYPROJECT", _pyproject(tmp_path, ">=3.99"))
    assert python_range.main() == 1
    message = capsys.readouterr().err
    version = ".".join(map(str, sys.version_info[:3]))
    assert f"Python {version}" in message and ">=3.99" in message
    assert "make install PYTHON=python3.99" in message


def test_the_stated_range_is_the_tried_range(tools):
    python_range, _ = tools
    minors = python_range.minors()
    assert minors == list(range(minors[0], minors[-1] + 1))
    makefile = (ROOT / "Makefile").read_text()
    tried = re.search(r"^PYTHONS \?= (.+)$", makefile, re.MULTILINE).group(1).split()
    assert tried == [f"python3.{m}" for m in minors]
    assert f"Python 3.{minors[0]} to 3.{minors[-1]}" in (ROOT / "README.md").read_text()


def test_driver_reports_absent_and_unsupported_without_installing(tools, tmp_path, monkeypatch,
                                                                  capsys):
    python_range, test_pythons = tools
    monkeypatch.setattr(python_range, "PYPROJECT", _pyproject(tmp_path, ">=3.99"))
    venvs = tmp_path / "venvs"
    assert test_pythons.check("python-not-on-this-machine", venvs).result == "absent"
    row = test_pythons.check(sys.executable, venvs)
    assert (row.result, row.version) == ("unsupported", ".".join(map(str, sys.version_info[:3])))
    assert not venvs.exists()
    assert test_pythons.main(["--venvs", str(venvs), "python-not-on-this-machine"]) == 1
    assert "nothing was tested" in capsys.readouterr().err


def test_driver_finds_this_python_and_not_a_missing_one(tools):
    _, test_pythons = tools
    version = ".".join(map(str, sys.version_info[:3]))
    assert test_pythons.locate(sys.executable) == (version, sys.executable)
    assert test_pythons.locate("python-not-on-this-machine") is None


def test_driver_reads_pytest_counts(tools):
    _, test_pythons = tools
    quiet = ["....F", "1 failed, 212 passed, 2 skipped, 5 deselected in 41.20s (0:00:41)"]
    assert test_pythons.counts(quiet) == "1 failed, 212 passed, 2 skipped, 5 deselected"
    verbose = ["===== 213 passed, 3 warnings in 9s ====="]
    assert test_pythons.counts(verbose) == "213 passed, 3 warnings"
    assert test_pythons.counts(["ERROR: file or directory not found: tests"]) is None
