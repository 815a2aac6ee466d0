"""The lecture notes: every note exists, every relative link resolves, display math is balanced.

Links into slides/figures/ name generated files (the folder is not committed), so for those the
test checks that slides/make_figures.py produces a figure of that name instead.
"""

import re

import pytest

from conftest import LECTURES as LECTURE_NAMES
from conftest import ROOT, load_script

LECTURES = ROOT / "lectures"
NOTES = ["README.md", *(f"{name}.md" for name in LECTURE_NAMES)]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FIGURE_LINK = re.compile(r"^\.\./slides/figures/(?P<name>[A-Za-z0-9_]+)\.png$")


def relative_links(text):
    """Targets of the Markdown links and images in ``text`` that are neither URLs nor anchors."""
    targets = (m.group(1) for m in LINK.finditer(text))
    return [t for t in targets if not re.match(r"^[a-z]+:", t) and not t.startswith("#")]


def figure_names():
    """Names of the figures slides/make_figures.py draws (its FIGURE_FUNCTIONS)."""
    return {make.__name__ for make in load_script("slides/make_figures.py").FIGURE_FUNCTIONS}


def note_links():
    """(note, link target) for every relative link in every note."""
    return [(note, target) for note in NOTES if (LECTURES / note).is_file()
            for target in relative_links((LECTURES / note).read_text(encoding="utf-8"))]


def test_the_lecture_folder_holds_exactly_the_course_notes():
    assert sorted(p.name for p in LECTURES.glob("*.md")) == sorted(NOTES)


def test_notes_link_to_existing_files():
    figures = figure_names()
    broken = []
    for note, target in note_links():
        figure = FIGURE_LINK.match(target)
        if figure:
            if figure["name"] not in figures:
                broken.append(f"{note}: {target} (no figure function named {figure['name']!r})")
        elif not (LECTURES / target.split("#")[0]).resolve().exists():
            broken.append(f"{note}: {target}")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_every_lecture_links_its_notebooks_and_the_index():
    for note in NOTES[1:]:
        targets = [t for n, t in note_links() if n == note]
        assert any(t.startswith("../notebooks/") and t.endswith(".ipynb") for t in targets), note
        assert "README.md" in targets, f"{note} does not link back to the index"


@pytest.mark.parametrize("note", NOTES)
def test_display_math_is_balanced_and_on_its_own_lines(note):
    text = re.sub(r"```.*?```", "", (LECTURES / note).read_text(encoding="utf-8"), flags=re.S)
    lines = [re.sub(r"`[^`]*`", "", line) for line in text.splitlines()]
    delimiters = [i for i, line in enumerate(lines, 1) if "$$" in line]
    assert len(delimiters) % 2 == 0, f"{note}: odd number of $$ lines {delimiters}"
    for i in delimiters:
        assert lines[i - 1].strip() == "$$", f"{note}:{i}: put $$ on its own line for GitHub/KaTeX"


@pytest.mark.parametrize("note", NOTES)
def test_inline_math_is_balanced(note):
    text = (LECTURES / note).read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)      # code blocks
    text = re.sub(r"`[^`]*`", "", text)                      # inline code
    text = re.sub(r"^\$\$\n.*?^\$\$$", "", text, flags=re.S | re.M)  # display math
    for number, line in enumerate(text.splitlines(), 1):
        assert line.count("$") % 2 == 0, f"{note}: unbalanced $ in line {number!r}: {line}"
