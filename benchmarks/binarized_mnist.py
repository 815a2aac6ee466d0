"""Test NLL on statically binarized MNIST (Larochelle & Murray) with k importance samples.

Usage: python benchmarks/binarized_mnist.py [--models mlp,conv] [--epochs 100]
       [--k 1000] [--n-train 50000] [--n-test 10000] [--latent-dim 50] [--seed 0] [--write]

Trains an MLP VAE and a convolutional VAE (Bernoulli decoder, Adam with cosine decay,
batch 100) on the 50,000 training images, then scores the 10,000 test images with
vae.evaluate: the ELBO and -log p(x) by importance sampling with k >= 1000 samples.
Lower NLL is better. Target for the conv VAE: <= 86 nats, trained on this machine's CPU.
"""

import keras

from vae import data, evaluate, models

from common import Timer, adam_cosine, arg_parser, met, report, run_header

TARGET_CONV = 86.0
# Static binarization, test NLL in nats, as quoted when the benchmark was set up (unchecked).
LITERATURE = [("MLP VAE", 89.9), ("IWAE, k = 50", 87.1), ("VampPrior", 85.57)]


def build(kind, latent_dim):
    """An MLP or a convolutional VAE with a Bernoulli decoder for (28, 28, 1) binary images."""
    if kind == "mlp":
        return models.dense_vae(latent_dim, hidden=(500, 500))
    if kind == "conv":
        return models.conv_vae(latent_dim, filters=(32, 64), encoder_kind="strided",
                               decoder_kind="transpose", likelihood="bernoulli")
    raise ValueError(f"kind={kind!r}: expected 'mlp' or 'conv'")


def train_and_score(kind, x, x_test, args):
    """Train one model, score the test set; return a dict of measured numbers."""
    keras.utils.set_random_seed(args.seed)
    vae = build(kind, args.latent_dim)
    vae.compile(optimizer=adam_cosine(args.lr, len(x), args.batch_size, args.epochs))
    with Timer() as train:
        vae.fit(x, epochs=args.epochs, batch_size=args.batch_size, verbose=2)
    with Timer() as score:
        scores = evaluate.scores(vae, x_test, k=args.k, batch_size=args.eval_batch,
                                   chunk=args.chunk, seed=args.seed, progress=True)
    return {"elbo": -scores["elbo"].mean(), "nll": -scores["log_likelihood"].mean(),
            "train_min": train.seconds / 60, "eval_min": score.seconds / 60}


def main():
    parser = arg_parser(__doc__)
    parser.add_argument("--models", default="mlp,conv")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--k", type=int, default=1000)
    parser.add_argument("--latent-dim", type=int, default=50)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--eval-batch", type=int, default=50)
    parser.add_argument("--chunk", type=int, default=100)
    parser.add_argument("--n-train", type=int, default=50000)
    parser.add_argument("--n-test", type=int, default=10000)
    args = parser.parse_args()

    x, _, x_test = data.load_binarized_mnist()
    x = x[:args.n_train].reshape(-1, 28, 28, 1).astype("float32")
    x_test = x_test[:args.n_test].reshape(-1, 28, 28, 1).astype("float32")
    results = {kind: train_and_score(kind, x, x_test, args) for kind in args.models.split(",")}

    full = args.n_train == 50000 and args.n_test == 10000 and args.k >= 1000
    lines = run_header(args.seed, full) + [
        f"- {len(x)} training / {len(x_test)} test images, static binarization (Larochelle), "
        f"latent {args.latent_dim}, {args.epochs} epochs, Adam lr {args.lr} cosine decay, "
        f"batch {args.batch_size}; k = {args.k} importance samples", "",
        "| model | -ELBO (nats) | NLL, IW k samples (nats) | train (min) | evaluate (min) |",
        "| --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {kind} VAE (this repo) | {r['elbo']:.2f} | {r['nll']:.2f} | "
              f"{r['train_min']:.1f} | {r['eval_min']:.1f} |" for kind, r in results.items()]
    lines += [f"| {name} (literature) | | {nll} | | |" for name, nll in LITERATURE]
    if "conv" in results:
        verdict = met(results["conv"]["nll"], TARGET_CONV) if full else \
            "not assessed (small run)"
        lines += ["", f"Target: conv VAE <= {TARGET_CONV} nats: **{verdict}**"]
    report("binarized-mnist", lines, args.write)


if __name__ == "__main__":
    main()
