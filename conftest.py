"""pytest set-up shared by the unit tests (tests/) and the notebooks (nbval).

Notebook kernels inherit this process's environment, so these defaults reach them too.
Tests import the shared helpers below with ``from conftest import LECTURES, load_script``.

Every notebook cell nbval runs must also keep its outputs clean: a stream on stderr, or a Python
warning anywhere, fails the cell unless tools/notebook_outputs.py explains it
(``pytest_runtest_call``).
"""

import importlib.util
import os
from pathlib import Path

import pytest
from nbval.plugin import IPyNbCell

os.environ.setdefault("VAE_SMOKE", "1")        # tests run every notebook in smoke mode
os.environ["VAE_OFFLINE"] = "1"                # tests never download data
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("VAE_EXERCISES_STRICT", "1")   # a wrong solution in a course notebook fails

# student copies (tools/student_notebooks.py) are for students, not for the test run
collect_ignore_glob = ["notebooks/student/*"]
pytest_plugins = ["pytester"]   # tests/test_notebook_outputs.py runs nbval on a notebook of its own

ROOT = Path(__file__).resolve().parent

LECTURES = ("01_generative_models", "02_autoencoders", "03_vae", "04_convolutional_vaes",
            "05_extensions", "06_better_vaes")
"""The lecture notes, in course order: ``lectures/NAME.md``, each with the deck
``slides/decks/NAME.md``."""


def load_script(relative_path):
    """Import a script that is not part of a package (e.g. ``slides/make_figures.py``)."""
    path = ROOT / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


notebook_outputs = load_script("tools/notebook_outputs.py")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After nbval has run a notebook cell, fail it if its outputs hold unexpected ones
    (``unexpected_outputs`` of tools/notebook_outputs.py)."""
    result = yield
    if isinstance(item, IPyNbCell):
        if item.test_outputs is None:
            raise RuntimeError("nbval did not record the cell's outputs (IPyNbCell.test_outputs): "
                               "conftest.pytest_runtest_call needs updating for this nbval")
        unexpected = notebook_outputs.unexpected_outputs(item.test_outputs)
        if unexpected:
            item.raise_cell_error("unexpected stderr output or Python warning (allowed: "
                                  "tools/notebook_outputs.py ALLOWED_OUTPUTS)",
                                  "\n".join(unexpected))
    return result
