"""A notebook's outputs stay clean: the backend's C++ start-up noise is filtered out by
``import vae`` (vae/startup.py), and nbval fails a cell that shows unexpected stderr output or a
Python warning (conftest.py and tools/notebook_outputs.py)."""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from vae import startup

from conftest import ROOT, notebook_outputs

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LINE = ("from vae import startup  # noqa: F401  # isort: skip  (first, before Keras: keeps the "
        "backend's C++ start-up logs out of the notebook)")

# Lines TensorFlow 2.21 writes to file descriptor 2 at start-up on a machine without a GPU
# (copied from a notebook's stderr, shortened).
STARTUP = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1796188993.066702    9698 port.cc:153] oneDNN custom operations are on.\n"
    "I0000 00:00:1796188993.067830    9698 cudart_stub.cc:31] Could not find cuda drivers on "
    "your machine, GPU will not be used.\n"
    "E0000 00:00:1796188998.109122    9698 cuda_platform.cc:52] failed call to cuInit: INTERNAL: "
    "CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)\n"
)
OTHER_ERROR = "E0000 00:00:1796188998.2    9698 op_kernel.cc:1] something real went wrong\n"
WARNING = "W0000 00:00:1796188998.3    9698 loader.cc:7] a C++ warning\n"
PYTHON_WARNING = "<string>:3: UserWarning: a Python warning\n"


def test_filter_drops_what_the_log_level_hides_and_keeps_everything_else():
    text = STARTUP + OTHER_ERROR + WARNING + PYTHON_WARNING
    assert startup.filter_startup_noise(text, 2) == OTHER_ERROR + PYTHON_WARNING
    assert startup.filter_startup_noise(text, 1) == OTHER_ERROR + WARNING + PYTHON_WARNING
    assert startup.filter_startup_noise(text, 3) == PYTHON_WARNING
    assert startup.filter_startup_noise(text, 0) == text


def test_cuinit_error_is_kept_when_cuda_drivers_were_found():
    with_driver = "".join(line for line in STARTUP.splitlines(keepends=True)
                          if "cuda drivers" not in line)
    assert "failed call to cuInit" in startup.filter_startup_noise(with_driver, 2)


def test_the_fd_filter_writes_back_what_is_not_noise(capfd):
    with startup.filtered_stderr_fd(2):
        os.write(2, (STARTUP + OTHER_ERROR).encode())
        print("python stderr", file=sys.stderr)
    # sys.stderr is not file descriptor 2 here (pytest's capture, ipykernel's stream in a
    # kernel): it is not captured, so it may come first
    err = capfd.readouterr().err.splitlines(keepends=True)
    assert sorted(err) == sorted([OTHER_ERROR, "python stderr\n"])


def _fresh_python(code, **env):
    """stderr of ``python -c code`` in a fresh process, ``env`` added and without
    TF_CPP_MIN_LOG_LEVEL unless given (as in a student's own Jupyter)."""
    environ = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    environ.update(env, KERAS_BACKEND=os.environ.get("KERAS_BACKEND", "tensorflow"))
    return subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True,
                          text=True, check=True).stderr


@pytest.mark.slow
def test_import_vae_first_silences_the_backend_but_not_python_warnings():
    code = "import vae\nimport keras, warnings\nwarnings.warn('kept')\nkeras.ops.ones(3)"
    assert _fresh_python(code) == "<string>:3: UserWarning: kept\n"
    # the noise is real: level 0 asks for every line, and the backend has some to show
    loud = _fresh_python(code, TF_CPP_MIN_LOG_LEVEL="0")
    if os.environ["KERAS_BACKEND"] == "tensorflow":
        assert startup._ABSL_LINE.search(loud), loud


def test_unexpected_outputs_flags_stderr_and_warnings_but_not_figures_or_widgets():
    figure = {"output_type": "display_data", "data": {"image/png": "...", "text/plain": "<F>"}}
    bar = {"output_type": "display_data",
           "data": {"application/vnd.jupyter.widget-view+json": {}, "text/plain": "  0%|"}}
    printed = {"output_type": "stream", "name": "stdout", "text": "ELBO: -98.1\n"}
    stderr = {"output_type": "stream", "name": "stderr", "text": "something odd\n"}
    warned = {"output_type": "stream", "name": "stdout",
              "text": "/x.py:12: DeprecationWarning: old\n"}
    unexpected = notebook_outputs.unexpected_outputs
    assert unexpected([figure, bar, printed]) == []
    assert unexpected([stderr, warned]) == ["something odd\n", warned["text"]]
    assert unexpected([stderr], allowed=[("odd", "a reason")]) == []
    assert all(reason for _, reason in notebook_outputs.ALLOWED_OUTPUTS)


def test_nbval_fails_a_cell_with_a_warning_or_stderr(pytester):
    import conftest

    cells = ["print('fine')", "import warnings\nwarnings.warn('deliberate')",
             "import sys\nprint('oops', file=sys.stderr)"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, pytester.path / "cells.ipynb")
    result = pytester.runpytest_inprocess("--nbval-lax", "--nbval-current-env",
                                          "-p", "no:cacheprovider", plugins=[conftest])
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*unexpected stderr output or Python warning*"])
    assert "UserWarning: deliberate" in result.stdout.str() and "oops" in result.stdout.str()



@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: Path(p).name)
def test_setup_cell_starts_by_importing_vae(path):
    """Every notebook's first line of code is LINE: in a student's own Jupyter, importing vae
    before Keras is what keeps the backend's C++ start-up logs out of the notebook."""
    code = [cell for cell in nbformat.read(path, as_version=4).cells
            if cell.cell_type == "code"]
    assert code[0].source.splitlines()[0] == LINE, f"start the setup cell with: {LINE}"
