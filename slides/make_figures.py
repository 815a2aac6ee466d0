"""Regenerate every slide figure into slides/figures/ (PNG for the decks, PDF for print).

Run with ``make figures``. Each figure is a function below that draws with
``vae.plots`` from real data; seeds are fixed so the same command gives the same files.
"""

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from vae import data, plots

FIGURES = Path(__file__).resolve().parent / "figures"


def mnist_digits():
    """The first 40 MNIST training digits with their labels."""
    (x, y), _ = data.load_mnist()
    return plots.image_grid(x[:40], ncols=10, titles=y[:40])


def frey_faces():
    """30 faces, evenly spaced through Brendan Frey's 1,965-frame video."""
    faces = data.load_frey_faces()
    return plots.image_grid(faces[:: len(faces) // 30][:30], ncols=10)


def load_profiles_by_season():
    """Daily load profiles of the UCI household in January vs July."""
    days = data.load_household_power()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3), sharey=True)
    for ax, month, name in zip(axes, (1, 7), ("January", "July")):
        plots.load_profiles(days.x[days.month == month], ax=ax,
                            title=f"{name} ({np.sum(days.month == month)} days)")
    fig.tight_layout()
    return fig


FIGURE_FUNCTIONS = [mnist_digits, frey_faces, load_profiles_by_season]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=FIGURES, help="output folder")
    args = parser.parse_args(argv)
    for make in FIGURE_FUNCTIONS:
        fig = make()
        png, _ = plots.save_fig(fig, make.__name__, args.out)
        plt.close(fig)
        print(f"wrote {png} (+ .pdf)")


if __name__ == "__main__":
    main()
