"""The one place that reads the course's environment switches.

``VAE_SMOKE=1`` (set by the test command) shrinks data and epochs so that every
notebook runs in well under a minute; ``VAE_SMOKE=0`` (the default) is full mode.
Notebooks show the effect as a visible one-liner, e.g. ``epochs = 1 if SMOKE else 30``.
"""

import os
from pathlib import Path

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


def env_flag(name, default=False):
    """Read a boolean environment variable; anything unrecognised is an error.

    Returns ``default`` when the variable is unset.
    """
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ValueError(f"environment variable {name}={value!r}: expected 0 or 1")


def keras_home():
    """Keras' own folder, ``$KERAS_HOME`` or ``~/.keras``: the only place outside the
    repository where the library writes (downloaded data, cached trained models)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))


SMOKE = env_flag("VAE_SMOKE")
"""True in smoke mode (tiny data, one epoch): read once, at import."""
