"""The Python versions the course supports: ``requires-python`` in pyproject.toml, its one home.

Usage: python tools/python_range.py   # exit 0 inside the range, else 1 with a message saying why

``make install`` runs it with the interpreter that will build .venv, before anything is
installed, so an old Python stops with a clear message instead of pip's resolver errors, and
tools/test_pythons.py uses it to report such a Python as unsupported. The code avoids f-strings
and tomllib on purpose: it has to run on the old Pythons it turns away.
"""

import operator
import os
import re
import sys

PYPROJECT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "pyproject.toml")
OPERATORS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
CLAUSE = re.compile(r"^\s*(>=|>|<=|<)\s*(\d+(?:\.\d+){0,2})\s*$")


def requires_python(pyproject=None):
    """The ``requires-python`` string of ``pyproject`` (default: the course's): ">=3.11,<3.14"."""
    pyproject = PYPROJECT if pyproject is None else pyproject
    with open(pyproject) as f:
        match = re.search(r'^requires-python\s*=\s*"([^"]+)"', f.read(), re.MULTILINE)
    if not match:
        raise ValueError("pyproject={0!r}: expected a line requires-python = \"...\"".format(
            pyproject))
    return match.group(1)


def bounds(spec):
    """``spec`` as [(comparison, (major, minor, micro))]: ``">=3.11"`` -> ``[(ge, (3, 11, 0))]``."""
    result = []
    for clause in spec.split(","):
        match = CLAUSE.match(clause)
        if not match:
            raise ValueError("spec={0!r}: expected comparisons such as '>=3.11' or '<3.14' "
                             "separated by commas".format(spec))
        numbers = tuple(int(n) for n in match.group(2).split("."))
        result.append((OPERATORS[match.group(1)], (numbers + (0, 0))[:3]))
    return result


def supported(version, spec=None):
    """True if ``version`` (major, minor, micro, ...) satisfies ``spec`` (default: pyproject's)."""
    spec = requires_python() if spec is None else spec
    return all(compare(tuple(version[:3]), bound) for compare, bound in bounds(spec))


def minors(spec=None):
    """The Python 3 minor versions whose first release satisfies ``spec``: ``[11, 12, 13]``."""
    return [minor for minor in range(100) if supported((3, minor, 0), spec)]


def main():
    spec = requires_python()
    if supported(sys.version_info):
        return 0
    version = ".".join(str(n) for n in sys.version_info[:3])
    ok = minors(spec)
    example = "python3.{0}".format(ok[0]) if ok else "python3"
    sys.stderr.write(
        "Python {0} ({1}) is outside the course's supported range {2} (requires-python in "
        "pyproject.toml).\nInstall a supported Python and name it, e.g. "
        "`make install PYTHON={3}`;\nif .venv was made with this Python, delete it first "
        "(rm -r .venv).\n".format(version, sys.executable, spec, example))
    return 1


if __name__ == "__main__":
    sys.exit(main())
