"""tools/lab_check.py, the JupyterLab check: what it reads from Lab's page is judged right, and
in a real JupyterLab it passes a clean notebook and reports each kind of defect in a bad one."""

import os

import nbformat
import pytest

from conftest import load_script

lab_check = load_script("tools/lab_check.py")
KERNEL = lab_check.KERNEL_DISPLAY_NAME


def _out(mime="text/plain", text="", images=(), bars=0):
    return {"mime": mime, "text": text, "images": list(images), "bars": bars}


def test_judge_passes_figures_and_widget_bars():
    report = {"kernel": KERNEL, "cells": [
        {"prompt": "[1]:", "outputs": []},
        {"prompt": "[2]:", "outputs": [_out("image/png", images=[True])]},
        {"prompt": "[3]:", "outputs": [_out("", "100%|██| 3/3", bars=1),
                                        _out(lab_check.STDOUT, "ELBO -98.1")]}]}
    assert lab_check.judge(report) == ([], 1, 1)


def test_judge_reports_every_kind_of_defect():
    report = {"kernel": "Python 3 (ipykernel)", "cells": [
        {"prompt": "[1]:", "outputs": [_out(lab_check.STDERR, "I0000 port.cc:153] oneDNN")]},
        {"prompt": "[2]:", "outputs": [_out(lab_check.STDERR, " 33%|███ | 1/3 [00:01<00:02]")]},
        {"prompt": "[3]:", "outputs": [_out(text="<Figure size 640x480 with 1 Axes>")]},
        {"prompt": "[4]:", "outputs": [_out("image/png", images=[False])]},
        {"prompt": "[5]:", "outputs": [_out(text="Error displaying widget: model not found")]},
        {"prompt": "[6]:", "outputs": [_out(lab_check.STDERR, "Traceback (most recent call "
                                            "last)\n...\nZeroDivisionError: division by zero")]},
        {"prompt": "[ ]:", "outputs": []}]}
    problems, images, bars = lab_check.judge(report)
    assert (images, bars) == (0, 0)
    expected = ["kernel is 'Python 3 (ipykernel)'", "code cell 1 shows 'I0000",
                "code cell 2 shows '33%", "code cell 2: a progress bar shown as text",
                "code cell 3: a figure shown as text", "code cell 4: an image did not load",
                "code cell 5: a widget did not render",
                "code cell 6 failed: ZeroDivisionError: division by zero",
                "code cell 7 did not run", "no figure appeared as an image"]
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected):
        assert problem.startswith(start), (problem, start)


@pytest.mark.slow
def test_a_real_jupyterlab_passes_a_clean_notebook_and_reports_a_bad_one(tmp_path):
    reason = lab_check.browser.missing_reason()
    if reason and os.environ.get("VAE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"VAE_REQUIRE_BROWSER=1 but {reason}")
    if reason:
        pytest.skip(reason)
    cells = {"good": ["import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()",
                      "from tqdm.auto import tqdm\nfor _ in tqdm(range(3)):\n    pass"],
             "bad": ["import sys\nprint('stray', file=sys.stderr)",
                     "from tqdm import tqdm\nfor _ in tqdm(range(3)):\n    pass",
                     "import matplotlib\nmatplotlib.use('agg')\nimport matplotlib.pyplot as plt\n"
                     "plt.figure()", "1 / 0", "print('never runs')"]}
    for name, sources in cells.items():
        nb = nbformat.v4.new_notebook(cells=list(map(nbformat.v4.new_code_cell, sources)))
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    # the kernel the server finds here is ipykernel's own (no `make` environment)
    problems = lab_check.check_all(["good", "bad"], root=tmp_path, out=tmp_path / "out",
                                   timeout_s=120, kernel="Python 3 (ipykernel)")
    expected = ["code cell 1 shows 'stray'", "code cell 2 shows '100%",
                "code cell 2: a progress bar shown as text", "code cell 3: a figure shown as text",
                "code cell 4 failed: ZeroDivisionError", "code cell 5 did not run",
                "no figure appeared as an image"]
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected):
        assert problem.startswith(f"bad: {start}"), (problem, start)
    shots = sorted(p.name for p in (tmp_path / "out" / "screenshots").iterdir())
    assert shots == ["bad-end.png", "bad-setup.png", "good-end.png", "good-figure.png",
                     "good-progress.png", "good-setup.png"]
