"""Training throughput of the SciNet lecture's conv VAE (latent 100, batch 64) on MNIST.

Usage: python benchmarks/throughput.py [--images 12800] [--repeats 3]
Prints images/s for each timed epoch (after one warm-up epoch that traces the graph).
"""

import argparse
import os
import platform
import time

import keras

from vae import data, recipes


def measure(n_images=12800, repeats=3, batch_size=64):
    """Return a list of images/s, one per timed epoch over ``n_images`` MNIST digits."""
    keras.utils.set_random_seed(0)
    (x, _), _ = data.load_mnist()
    x = data.as_images(x[:n_images])
    vae = recipes.build_conv_vae(latent_dim=100, seed=0)
    vae.fit(x, epochs=1, batch_size=batch_size, verbose=0)  # warm-up: tracing
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        vae.fit(x, epochs=1, batch_size=batch_size, verbose=0)
        rates.append(len(x) / (time.perf_counter() - start))
    return rates


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=12800)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rates = measure(args.images, args.repeats)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"keras {keras.__version__} ({keras.backend.backend()})")
    print("images/s per epoch:", ", ".join(f"{r:,.0f}" for r in rates))
    print(f"median: {sorted(rates)[len(rates) // 2]:,.0f} images/s")


if __name__ == "__main__":
    main()
