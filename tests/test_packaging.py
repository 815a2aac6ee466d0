"""The project describes itself truthfully: module lists, licence, lint configuration."""

import re
import tomllib

import vae

from conftest import ROOT

MODULES = sorted([p.stem for p in (ROOT / "vae").glob("*.py") if p.stem != "__init__"]
                 + [p.parent.name for p in (ROOT / "vae").glob("*/__init__.py")])


def test_package_docstring_lists_every_module_once():
    listed = re.findall(r"^    (\w+)\s+- ", vae.__doc__, flags=re.M)
    assert sorted(listed) == MODULES and len(listed) == len(set(listed))


def test_readme_module_table_lists_every_module():
    row = next(line for line in (ROOT / "README.md").read_text().splitlines()
               if line.startswith("| `vae/` |"))
    assert sorted(set(re.findall(r"`(\w+)` \(", row))) == MODULES


def test_license_file_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
