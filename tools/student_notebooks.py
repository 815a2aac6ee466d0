"""Write student copies of the course notebooks, with every solution cell blanked.

Usage: python tools/student_notebooks.py [--src notebooks] [--out notebooks/student]

Each ``NN_name.ipynb`` in ``--src`` is copied to ``--out`` (not committed) with the code of
every cell tagged ``solution`` replaced by a placeholder comment and all outputs cleared.
"""

import argparse
from pathlib import Path

import nbformat

PLACEHOLDER = "# Your solution here"
TAG = "solution"


def is_solution(cell):
    """True for a cell whose metadata tags include ``solution``."""
    return TAG in cell.get("metadata", {}).get("tags", [])


def blank(cell):
    """The student's version of one cell: solution code replaced, outputs cleared."""
    cell = nbformat.from_dict(cell)
    if is_solution(cell):
        cell.source = PLACEHOLDER if cell.cell_type == "code" else "*Your answer here.*"
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    return cell


def student_copy(src, dst):
    """Write the student copy of notebook ``src`` to ``dst``; return the number of blanked cells."""
    nb = nbformat.read(src, as_version=4)
    nb.cells = [blank(cell) for cell in nb.cells]
    nbformat.validate(nb)
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dst)
    return sum(map(is_solution, nb.cells))


def write_all(src_dir, out_dir):
    """Student copies of every ``src_dir/*.ipynb`` into ``out_dir``: {name: blanked cells}."""
    src_dir, out_dir = Path(src_dir), Path(out_dir)
    notebooks = sorted(src_dir.glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"src_dir={str(src_dir)!r}: expected a folder with .ipynb notebooks")
    return {nb.name: student_copy(nb, out_dir / nb.name) for nb in notebooks}


def main(argv=None):
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default=root / "notebooks", type=Path)
    parser.add_argument("--out", default=root / "notebooks" / "student", type=Path)
    args = parser.parse_args(argv)
    for name, n in write_all(args.src, args.out).items():
        print(f"{args.out / name}: {n} solution cell(s) blanked")


if __name__ == "__main__":
    main()
