"""Frey faces: test ELBO and importance-sampled log-likelihood per face.

Usage: python benchmarks/frey.py [--epochs 300] [--latent-dim 2] [--k 1000] [--seed 0]
       [--write]

Kingma & Welling's Frey-face model (vae.nets.frey_mlp: tanh MLPs with 200 hidden units,
Gaussian decoder with a learned per-pixel variance), trained with Adam on the first 90 %
of the 1,965 frames (pixels scaled to [0, 1]); the last 10 % are the test set
(``vae.data.frey_split``: a random split would leak neighbouring frames). Scores
are densities of 560 continuous pixels, in nats per face (higher is better; they can be
positive because the pixel variances are small).
"""

import keras

from vae import data, evaluate, models, nets

from common import Timer, arg_parser, report, run_header


def main():
    parser = arg_parser(__doc__)
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--latent-dim", type=int, default=2)
    parser.add_argument("--k", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()

    keras.utils.set_random_seed(args.seed)
    x, x_test = data.frey_split()
    vae = models.VAE(*nets.frey_mlp(args.latent_dim), likelihood="gaussian_learned",
                     seed=args.seed)
    vae.compile(optimizer=keras.optimizers.Adam(args.lr))
    with Timer() as t:
        vae.fit(x, epochs=args.epochs, batch_size=args.batch_size, verbose=0)
    rows = {name: evaluate.scores(vae, faces, k=args.k, seed=args.seed)
            for name, faces in (("train", x), ("test", x_test))}

    lines = run_header(args.seed, full_size=args.epochs >= 300 and args.k >= 1000) + [
        f"- {len(x)} training / {len(x_test)} test faces, latent {args.latent_dim}, "
        f"{args.epochs} epochs, Adam lr {args.lr}, batch {args.batch_size}; "
        f"k = {args.k}; training wall time {t.seconds / 60:.1f} min", "",
        "| split | ELBO per face (nats) | log p(x), IW k samples (nats) | gap (nats) |",
        "| --- | ---: | ---: | ---: |"]
    for name, s in rows.items():
        elbo, ll = s["elbo"].mean(), s["log_likelihood"].mean()
        lines.append(f"| {name} | {elbo:.1f} | {ll:.1f} | {ll - elbo:.2f} |")
    report("frey", lines, args.write)


if __name__ == "__main__":
    main()
