"""Keras and its backend, imported without the backend's C++ start-up noise.

TensorFlow's C++ library logs through absl, and whatever it logs before ``absl::InitializeLog()``
runs goes straight to file descriptor 2, regardless of ``TF_CPP_MIN_LOG_LEVEL``: "All log
messages before absl::InitializeLog() is called are written to STDERR", "oneDNN custom
operations are on", "Could not find cuda drivers on your machine" and, at the first tensor on a
machine without an NVIDIA driver, "failed call to cuInit". ipykernel forwards file descriptor 2
into the notebook, so a student sees red blocks that mean nothing is wrong. No environment
variable silences these lines; only the process that owns the descriptor can.

``import vae`` therefore imports Keras through ``import_keras_quietly()``: file descriptor 2 is
captured while Keras, its backend and the backend's first tensor come up, and then every captured
line is written back except the ones ``is_startup_noise`` recognises. Python's own warnings are
untouched in a notebook (they go to ``sys.stderr``, not to the descriptor) and are written back in
a terminal. A notebook imports ``vae`` before ``keras`` for this to work; once the backend is
loaded, ``import_keras_quietly()`` does nothing. The notebooks' setup cells start with
``from vae import startup`` for this reason.

The rules follow ``TF_CPP_MIN_LOG_LEVEL`` (default ``ENV_DEFAULTS``; the C++ libraries of the
TensorFlow and JAX backends read it after absl's initialisation): an absl line below that level
is dropped as the level says it should have been, and so is absl's notice about its own start-up.
The one line kept by level 2 that is dropped too is the cuInit error, and only when the same
start-up also said that there are no CUDA drivers: the CPU fallback that the course runs on.
Set ``TF_CPP_MIN_LOG_LEVEL=0`` to see every line.
"""

import contextlib
import os
import re
import sys
import tempfile

ENV_DEFAULTS = {"TF_CPP_MIN_LOG_LEVEL": "2"}
"""Set before the backend loads unless already set: hide C++ INFO and WARNING, keep ERROR."""

ABSL_NOTICE = ("WARNING: All log messages before absl::InitializeLog() is called are written to "
               "STDERR")
# an absl C++ log line: severity letter, date, time, thread id, file:line] message
_ABSL_LINE = re.compile(r"(?P<severity>[IWEF])\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] ")
_SEVERITIES = "IWEF"   # TF_CPP_MIN_LOG_LEVEL 0..3 hides the letters before its index
_NO_DRIVER = "Could not find cuda drivers on your machine"
_CUINIT = "failed call to cuInit"


def is_startup_noise(line, min_level, no_driver):
    """True if ``line`` (one line of stderr) is start-up noise under
    ``TF_CPP_MIN_LOG_LEVEL=min_level`` (an int); ``no_driver``: the start-up said there are no
    CUDA drivers."""
    if min_level <= 0:
        return False
    if line.startswith(ABSL_NOTICE):
        return True
    match = _ABSL_LINE.match(line)
    if match is None:
        return False
    if _SEVERITIES.index(match["severity"]) < min_level:
        return True
    return no_driver and _CUINIT in line


def filter_startup_noise(text, min_level):
    """``text`` (what the start-up wrote to stderr) without its start-up noise, line by line:
    a line that does not start like an absl line is kept (a Python warning's source line, say),
    even if it continues an absl message that was dropped."""
    lines = text.splitlines(keepends=True)
    no_driver = any(_NO_DRIVER in line for line in lines)
    return "".join(line for line in lines if not is_startup_noise(line, min_level, no_driver))


def _min_level():
    """``TF_CPP_MIN_LOG_LEVEL`` as an int; ValueError naming it if it is not 0-3."""
    value = os.environ["TF_CPP_MIN_LOG_LEVEL"]
    if value.strip() not in {"0", "1", "2", "3"}:
        raise ValueError(f"environment variable TF_CPP_MIN_LOG_LEVEL={value!r}: expected 0-3")
    return int(value)


@contextlib.contextmanager
def filtered_stderr_fd(min_level):
    """Capture what is written to file descriptor 2 inside the block (C++ libraries included);
    on exit write it back there without its start-up noise (``filter_startup_noise``)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 2)
            try:
                yield
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
                captured.seek(0)
                text = captured.read().decode(errors="replace")
                kept = filter_startup_noise(text, min_level)
                if kept:
                    os.write(2, kept.encode())
    finally:
        os.close(saved)


def import_keras_quietly():
    """Import Keras and create one tensor on its backend (which loads the backend's devices),
    with the start-up noise of its C++ libraries filtered out; a no-op once Keras is loaded."""
    if "keras" in sys.modules:
        return
    for name, value in ENV_DEFAULTS.items():
        os.environ.setdefault(name, value)
    min_level = _min_level()
    with filtered_stderr_fd(min_level):
        import keras

        keras.ops.convert_to_numpy(keras.ops.zeros(()))
