"""The committed notebooks follow the house rules, and the student copies hide the solutions."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TOOL = ROOT / "tools" / "student_notebooks.py"

# A number in markdown is a measured result unless it is quoted from a paper (a year on the
# same line), is math or code, or labels an exercise (**10.1**): results are printed by code,
# and the text says "the table above".
_MATH_OR_CODE = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\*\*\d+\.\d+\*\*")
_NUMBER = re.compile(r"\d\.\d|\d\s?%")
_YEAR = re.compile(r"\b(19|20)\d\d\b")


def _solution(cell):
    return "solution" in cell.metadata.get("tags", [])


def _code_lines(cells):
    """Significant lines of code cells: stripped, non-empty, not comments."""
    return {line.strip() for cell in cells if cell.cell_type == "code"
            for line in cell.source.splitlines()
            if line.strip() and not line.strip().startswith("#")}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_follows_the_house_rules(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code), \
        "commit notebooks without outputs and execution counts"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert sum(map(_solution, nb.cells)) >= 2, "expected >= 2 cells tagged 'solution'"
    assert any("SMOKE" in cell.source for cell in code), "expected a code cell reading SMOKE"


def typed_numbers(nb):
    """Markdown lines of ``nb`` that state a number (a decimal or a percentage) outside math
    and code, with no year on the line to say which paper it is quoted from."""
    return [line for cell in nb.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines()
            if _NUMBER.search(_MATH_OR_CODE.sub("", line)) and not _YEAR.search(line)]


def test_typed_numbers_finds_results_but_not_citations_math_or_code():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "The VAE reaches 0.083 RMSE.\nIWAE: 86.76 nats (Burda et al., 2016).\n"
        "**10.1** With $\\sigma^2 = 0.5$ and `quantile=0.98`.\nIt labels 87 % of digits.")])
    assert typed_numbers(nb) == ["The VAE reaches 0.083 RMSE.", "It labels 87 % of digits."]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_markdown_states_no_measured_number(path):
    assert typed_numbers(nbformat.read(path, as_version=4)) == [], \
        "print results from code and refer to them; cite a paper's number with its year"


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    subprocess.run([sys.executable, str(TOOL), "--out", str(out)], check=True,
                   capture_output=True, text=True)
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_copy_has_no_solution_code_and_still_parses(path, student_dir):
    original = nbformat.read(path, as_version=4)
    copy = nbformat.read(student_dir / path.name, as_version=4)
    nbformat.validate(copy)
    assert len(copy.cells) == len(original.cells)
    # a solution line may appear in the copy only where the lesson itself also uses it
    hidden = (_code_lines([c for c in original.cells if _solution(c)])
              - _code_lines([c for c in original.cells if not _solution(c)]))
    assert hidden, "expected solution cells with code of their own"
    assert not hidden & _code_lines(copy.cells)
    for cell in copy.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            ast.parse("\n".join(line for line in cell.source.splitlines()
                                if not line.lstrip().startswith(("%", "!"))))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_copy_runs_top_to_bottom_in_smoke_mode(path, student_dir):
    """A student's copy (solutions blanked) runs without an error: every exercise check says
    "not attempted yet" instead of stopping the notebook, and no later cell needs a solution."""
    from nbclient import NotebookClient

    copy = nbformat.read(student_dir / path.name, as_version=4)
    env = {"VAE_SMOKE": "1", "VAE_EXERCISES_STRICT": "0"}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)        # the kernel inherits this process's environment
    try:
        NotebookClient(copy, timeout=600, resources={"metadata": {"path": str(path.parent)}}
                       ).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key)
            else:
                os.environ[key] = value
    checks = [output.get("text", "") for cell in copy.cells if cell.cell_type == "code"
              and "exercises.check(" in cell.source for output in cell.outputs]
    assert not any("✓" in text for text in checks), "a blanked exercise was judged correct"
