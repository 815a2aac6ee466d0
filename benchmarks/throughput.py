"""Training throughput of the SciNet lecture's conv VAE (latent 100, batch 64) on MNIST.

Usage: python benchmarks/throughput.py [--images 12800] [--repeats 3] [--torch] [--write]
Prints images/s for each timed epoch (after one warm-up epoch per framework that traces
the graph / warms the allocator). With ``--torch`` the same architecture, loss
(784 * MSE + KL) and optimizer (RMSprop, Keras defaults) written in PyTorch runs in the
same process, the two frameworks alternating epoch by epoch so that load from other
jobs hits both alike; it reports the ratio of the medians (Keras / PyTorch).
PyTorch is an optional benchmark dependency: ``pip install -r benchmarks/requirements.txt``.
``--write`` stores the result in benchmarks/README.md.
"""

import numpy as np

from vae import data, recipes

from common import Timer, arg_parser, met, report, run_header

TARGET_RATIO = 1.5


def keras_epoch(x, batch_size, seed=0):
    """A function that trains the Keras model one epoch over x (n, 28, 28, 1)."""
    vae = recipes.build("conv_vae_mnist", seed)
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


def torch_epoch(x, batch_size, threads, seed=0):
    """A function that trains the PyTorch model one epoch over x (n, 28, 28, 1),
    using ``threads`` intra-op threads (set at the start of every epoch)."""
    import torch

    torch.manual_seed(seed)
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
        torch.set_num_threads(threads)
        for index in torch.randperm(len(images)).split(batch_size):
            step(images[index])

    return epoch


def measure(epoch_fns, n_images, repeats):
    """Alternate one timed epoch of each framework ``repeats`` times -> {name: [images/s]}."""
    for fn in epoch_fns.values():
        fn()                                                 # warm-up
    rates = {name: [] for name in epoch_fns}
    for _ in range(repeats):
        for name, fn in epoch_fns.items():
            with Timer() as t:
                fn()
            rates[name].append(n_images / t.seconds)
    return rates


def main():
    parser = arg_parser(__doc__)
    parser.add_argument("--images", type=int, default=12800)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--torch", action="store_true", help="compare with PyTorch")
    parser.add_argument("--torch-threads", default="1,2",
                        help="PyTorch thread counts to time, comma-separated; the ratio "
                             "uses the fastest (on a busy machine 2 OpenMP threads can be slower)")
    args = parser.parse_args()
    (x, _), _ = data.load_mnist()
    x = data.as_images(x[:args.images])
    fns = {"keras": keras_epoch(x, args.batch_size, args.seed)}
    if args.torch:
        import torch

        for threads in map(int, args.torch_threads.split(",")):
            fns[f"pytorch {torch.__version__}, {threads} thread(s)"] = \
                torch_epoch(x, args.batch_size, threads, args.seed)
    rates = measure(fns, len(x), args.repeats)
    medians = {name: float(np.median(r)) for name, r in rates.items()}
    lines = run_header(args.seed, full_size=args.images >= 12800 and args.repeats >= 3) + [
        f"- {args.images} MNIST images per epoch, batch {args.batch_size}, one warm-up epoch "
        f"each, then {args.repeats} timed epochs per framework, alternating", "",
        "| framework | images/s per epoch | median images/s |", "| --- | --- | ---: |"]
    lines += [f"| {name} | {', '.join(f'{r:,.0f}' for r in rates[name])} | {medians[name]:,.0f} |"
              for name in rates]
    if args.torch:
        ratio = medians["keras"] / max(v for k, v in medians.items() if k != "keras")
        lines += ["", f"Ratio Keras / fastest PyTorch (medians): **{ratio:.2f}x** "
                      f"(target >= {TARGET_RATIO}x: {met(ratio, TARGET_RATIO, False)})"]
    report("throughput", lines, args.write)


if __name__ == "__main__":
    main()
