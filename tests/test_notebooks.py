"""The committed notebooks follow the house rules, and the student copies hide the solutions."""

import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TOOL = ROOT / "tools" / "student_notebooks.py"


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
