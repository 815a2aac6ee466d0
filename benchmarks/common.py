"""What the benchmark scripts share: run metadata, the command line, the results file.

Each script writes its own section of ``benchmarks/README.md`` between
``<!-- begin NAME -->`` and ``<!-- end NAME -->`` markers, so re-running one benchmark
replaces only its own table. Run the scripts from the repository root, e.g.
``python benchmarks/scinet_mnist.py --epochs 20``.
"""

import argparse
import datetime
import os
import platform
import re
import shlex
import sys
import time
from pathlib import Path

import keras

README = Path(__file__).resolve().parent / "README.md"


def machine():
    """One line naming the CPU, core count and library versions."""
    cpu = platform.processor() or platform.machine()
    model = Path("/proc/cpuinfo")
    if model.exists():
        names = re.findall(r"model name\s*:\s*(.*)", model.read_text())
        cpu = names[0] if names else cpu
    return (f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"Keras {keras.__version__} ({keras.backend.backend()})")


def run_header(seed, full_size):
    """Markdown lines: machine, date, exact command, seed, and whether it was a full run."""
    command = "python " + " ".join(shlex.quote(a) for a in sys.argv)
    size = "full size" if full_size else "**small size (not yet run at full size)**"
    load = os.getloadavg()[0]
    return [f"- machine: {machine()}; load average {load:.1f} at the start",
            f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
            f"- command: `{command}` (seed {seed}; {size})"]


def arg_parser(doc):
    """An ArgumentParser showing ``doc``, with the options every script has: --seed, --write."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", action="store_true",
                        help="also write the results into benchmarks/README.md")
    return parser


def report(name, lines, write):
    """Print the result lines; with ``write`` also store them as section ``name``."""
    if write:
        write_section(name, lines)
    else:
        print("\n".join(lines))


def write_section(name, lines, readme=README):
    """Replace (or append) the ``name`` section of the results README with ``lines``."""
    block = "\n".join([f"<!-- begin {name} -->", *lines, f"<!-- end {name} -->"])
    text = readme.read_text() if readme.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"<!-- begin {name} -->.*?<!-- end {name} -->", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) \
        else text.rstrip("\n") + "\n\n" + block + "\n"
    readme.write_text(text)
    print("\n".join(lines))


class Timer:
    """Context manager that stores the elapsed wall time in seconds as ``.seconds``."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def adam_cosine(lr, n_examples, batch_size, epochs):
    """Adam whose learning rate decays from ``lr`` to 0 along a cosine over the whole run
    (epochs * ceil(n_examples / batch_size) steps)."""
    steps = epochs * -(-n_examples // batch_size)
    return keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(lr, steps))


def met(value, target, lower_is_better=True):
    """'met' / 'not met' for a measured value against a target."""
    ok = value <= target if lower_is_better else value >= target
    return "met" if ok else "not met"
