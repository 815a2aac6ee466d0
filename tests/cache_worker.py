"""Test helper for tests/test_recipes.py: a tiny recipe, and a process that trains it.

``python tests/cache_worker.py BARRIER N OUT`` registers ``TINY`` as recipe ``tiny_frey``,
waits (inside ``train``, so after its cache lookup missed) until N processes have reached
the folder BARRIER, then calls ``load_or_train("tiny_frey", smoke=True)`` to the end and saves
the model's weights to OUT (``.npz``). N processes started together thus all train the same
recipe at the same time and race to save it.
"""

import os
import sys
import time
from pathlib import Path

import keras
import numpy as np

from vae import data, models, recipes

TINY = recipes.Recipe(
    lambda seed: models.dense_vae(2, input_shape=(28, 20, 1), hidden=(16,), seed=seed),
    lambda: keras.optimizers.Adam(1e-3), data.frey_split, epochs=1, batch_size=256)
"""A recipe that trains in a second or two: a 2-D dense VAE with 16 hidden units on Frey faces."""


def main(barrier, n, out):
    recipes.RECIPES["tiny_frey"] = TINY
    real_train = recipes.train

    def train_after_barrier(*args, **kwargs):
        (barrier / str(os.getpid())).touch()
        deadline = time.monotonic() + 300
        while len(list(barrier.iterdir())) < n:
            if time.monotonic() > deadline:
                sys.exit(f"only {len(list(barrier.iterdir()))} of {n} processes reached {barrier}")
            time.sleep(0.05)
        return real_train(*args, **kwargs)

    recipes.train = train_after_barrier
    model, _ = recipes.load_or_train("tiny_frey", smoke=True)
    np.savez(out, *model.get_weights())


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
