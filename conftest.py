"""pytest set-up shared by the unit tests (tests/) and the notebooks (nbval).

Notebook kernels inherit this process's environment, so these defaults reach them too.
Tests import the shared helpers below with ``from conftest import LECTURES, load_script``.
"""

import importlib.util
import os
from pathlib import Path

os.environ.setdefault("VAE_SMOKE", "1")        # tests run every notebook in smoke mode
os.environ["VAE_OFFLINE"] = "1"                # tests never download data
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("VAE_EXERCISES_STRICT", "1")   # a wrong solution in a course notebook fails

# student copies (tools/student_notebooks.py) are for students, not for the test run
collect_ignore_glob = ["notebooks/student/*"]

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
