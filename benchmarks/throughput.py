"""Training throughput of the SciNet lecture's conv VAE (latent 100, batch 64) on MNIST,
under each Keras backend and in native PyTorch, side by side in one run.

Usage: python benchmarks/throughput.py [--images 12800] [--repeats 3] [--configs NAME,...]
[--write]. Every configuration of ``CONFIGS`` (a Keras backend with a setting such as XLA or
torch.compile, or the same model written in native PyTorch) runs in its own worker process
(Keras picks its backend once per process). After one warm-up epoch each (tracing,
compiling, warming the allocator), the workers train one timed epoch in turn, ``repeats``
rounds, so that load from other jobs hits all alike; only one worker computes at a time.
Reports images/s per epoch and the medians, and the ratio of the course's default
(Keras on TensorFlow) to the fastest native PyTorch. Configurations whose backend is not
installed are left out, saying so: ``pip install -r benchmarks/requirements.txt``.
``--write`` stores the result in benchmarks/README.md.
"""

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from common import arg_parser, met, report, run_header

TARGET_RATIO = 1.5
DEFAULT = "keras/tensorflow"
CONFIGS = {
    # name: (framework, backend package, settings)
    "keras/tensorflow": ("keras", "tensorflow", {}),
    "keras/tensorflow+xla": ("keras", "tensorflow", {"jit_compile": True}),
    "keras/jax": ("keras", "jax", {}),
    "keras/torch": ("keras", "torch", {}),
    "keras/torch+compile": ("keras", "torch", {"jit_compile": True}),
    "pytorch/1-thread": ("pytorch", "torch", {"threads": 1}),
    "pytorch/2-threads": ("pytorch", "torch", {"threads": 2}),
}
"""Keras on a CPU: TensorFlow's default ``jit_compile="auto"`` means no XLA (``+xla``: True);
PyTorch's means eager (``+compile``: True, i.e. torch.compile); JAX always compiles with XLA.
``threads`` sets native PyTorch's intra-op threads; the Keras backends use their defaults."""


# ---------------------------------------------------------------- inside a worker

def keras_epoch(x, batch_size, seed, jit_compile="auto"):
    """A function that trains the course's Keras model one epoch over x (n, 28, 28, 1)."""
    from vae import recipes

    vae = recipes.build("conv_vae_mnist", seed)
    vae.compile(optimizer=recipes.RECIPES["conv_vae_mnist"].optimizer(), jit_compile=jit_compile)
    return lambda: vae.fit(x, epochs=1, batch_size=batch_size, verbose=0)


def torch_seed_vae():
    """The same model in PyTorch: (encoder, decoder) as torch.nn.Sequential, NCHW."""
    from torch import nn

    encoder = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(7 * 7 * 32, 2 * 100))      # [z_mean, z_log_var] in one
    decoder = nn.Sequential(
        nn.Linear(100, 7 * 7 * 32), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
        nn.ConvTranspose2d(32, 32, 3, padding=1), nn.ReLU(), nn.Upsample(scale_factor=2),
        nn.ConvTranspose2d(32, 16, 3, padding=1), nn.ReLU(), nn.Upsample(scale_factor=2),
        nn.ConvTranspose2d(16, 1, 3, padding=1), nn.Sigmoid())
    return encoder, decoder


def torch_epoch(x, batch_size, seed, threads):
    """A function that trains the PyTorch model one epoch over x (n, 28, 28, 1) with
    ``threads`` intra-op threads."""
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    encoder, decoder = torch_seed_vae()
    params = [*encoder.parameters(), *decoder.parameters()]
    optimizer = torch.optim.RMSprop(params, lr=1e-3, alpha=0.9, eps=1e-7)  # Keras defaults
    images = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))

    def step(batch):
        z_mean, z_log_var = encoder(batch).chunk(2, dim=1)
        z = z_mean + torch.exp(0.5 * z_log_var) * torch.randn_like(z_mean)
        sse = (batch - decoder(z)).square().sum(dim=(1, 2, 3))
        kl = 0.5 * (z_log_var.exp() + z_mean.square() - 1 - z_log_var).sum(dim=1)
        loss = (sse + kl).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    def epoch():
        for index in torch.randperm(len(images)).split(batch_size):
            step(images[index])

    return epoch


def serve(name, n_images, batch_size, seed):
    """Worker loop: build configuration ``name``, then time one epoch per "epoch" line read
    from stdin, answering "seconds <s>" on stdout (anything else it prints is ignored)."""
    from vae import data

    framework, _, settings = CONFIGS[name]
    (x, _), _ = data.load_mnist()
    x = data.as_images(x[:n_images])
    epoch = keras_epoch(x, batch_size, seed, **settings) if framework == "keras" \
        else torch_epoch(x, batch_size, seed, **settings)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "epoch":
            break
        start = time.perf_counter()
        epoch()
        print(f"seconds {time.perf_counter() - start}", flush=True)


# ---------------------------------------------------------------- the conductor

class Worker:
    """One configuration in its own process (KERAS_BACKEND set to its backend)."""

    def __init__(self, name, args):
        backend = CONFIGS[name][1]
        env = {**os.environ, "KERAS_BACKEND": backend}
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", name, "--images", str(args.images),
             "--batch-size", str(args.batch_size), "--seed", str(args.seed)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
            cwd=Path(__file__).resolve().parents[1])
        self._answer("ready")

    def _answer(self, word):
        for line in self.process.stdout:
            if line.startswith(word):
                return line
        raise RuntimeError(f"{self.name}: the worker stopped (exit {self.process.wait()})")

    def epoch(self):
        """Train one epoch in the worker -> its wall time in seconds."""
        self.process.stdin.write("epoch\n")
        self.process.stdin.flush()
        return float(self._answer("seconds").split()[1])

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def available(names):
    """(names whose backend package is installed, names left out)."""
    found = [n for n in names if importlib.util.find_spec(CONFIGS[n][1]) is not None]
    return found, [n for n in names if n not in found]


def measure(workers, n_images, repeats):
    """One warm-up epoch each, then ``repeats`` rounds of one timed epoch per worker, in
    turn -> {name: [images/s]}."""
    for worker in workers:
        worker.epoch()
    rates = {worker.name: [] for worker in workers}
    for _ in range(repeats):
        for worker in workers:
            rates[worker.name].append(n_images / worker.epoch())
    return rates


def table(rates, args, left_out):
    """The report's Markdown lines."""
    medians = {name: float(np.median(r)) for name, r in rates.items()}
    lines = run_header(args.seed, full_size=args.images >= 12800 and args.repeats >= 3) + [
        f"- {args.images} MNIST images per epoch, batch {args.batch_size}, one warm-up epoch "
        f"each, then {args.repeats} timed epoch(s) per configuration, in turn; each in its own "
        "process, one computing at a time", "",
        "| configuration | images/s per epoch | median images/s |", "| --- | --- | ---: |"]
    lines += [f"| {name} | {', '.join(f'{r:,.0f}' for r in rates[name])} | {medians[name]:,.0f} |"
              for name in sorted(rates, key=medians.get, reverse=True)]
    if left_out:
        lines += ["", f"Not installed, left out: {', '.join(left_out)}."]
    fastest = max(medians, key=medians.get)
    lines += ["", f"Fastest: **{fastest}** ({medians[fastest]:,.0f} images/s)."]
    native = {k: v for k, v in medians.items() if CONFIGS[k][0] == "pytorch"}
    if DEFAULT in medians and native:
        ratio = medians[DEFAULT] / max(native.values())
        lines += [f"Ratio {DEFAULT} (the course's default) / fastest native PyTorch (medians): "
                  f"**{ratio:.2f}x** (target >= {TARGET_RATIO}x: "
                  f"{met(ratio, TARGET_RATIO, False)})"]
    return lines


def main():
    parser = arg_parser(__doc__)
    parser.add_argument("--images", type=int, default=12800)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help=f"comma-separated, from: {', '.join(CONFIGS)}")
    parser.add_argument("--worker", help=argparse.SUPPRESS)   # internal: serve one config
    args = parser.parse_args()
    if args.worker:
        return serve(args.worker, args.images, args.batch_size, args.seed)
    names = [n.strip() for n in args.configs.split(",")]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        parser.error(f"--configs: unknown {unknown}; expected names from {list(CONFIGS)}")
    names, left_out = available(names)
    workers = []
    try:
        for name in names:
            workers.append(Worker(name, args))
        rates = measure(workers, args.images, args.repeats)
    finally:
        for worker in workers:
            worker.close()
    report("throughput", table(rates, args, left_out), args.write)


if __name__ == "__main__":
    main()
