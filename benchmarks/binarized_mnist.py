"""Test NLL on statically binarized MNIST (Larochelle & Murray) with k importance samples.

Usage: python benchmarks/binarized_mnist.py [--models mlp,conv] [--epochs 100]
       [--k 1000] [--n-train 50000] [--n-test 10000] [--latent-dim 50] [--seed 0] [--write]

Trains each model of ``--models`` (see ``MODELS``: MLP and convolutional VAEs, an IWAE, a
VampPrior and a two-level hierarchical VAE; Bernoulli decoders, Adam with cosine decay,
batch 100) on the 50,000 training images, then scores the 10,000 test images with
vae.evaluate: the ELBO and -log p(x) by importance sampling with k >= 1000 samples.
Lower NLL is better. Goal: <= 85.0 nats with a model trained on this machine's CPU, below
the single-layer VampPrior's 85.57 (Tomczak & Welling, 2018).

Each model's result is kept in ``results/binarized_mnist.json`` with its machine, date and
command, so ``--write`` re-running some models replaces only their rows of the table.
"""

import json
from pathlib import Path

import keras

from vae import data, evaluate, hierarchical, iwae, models, nets, vampprior

from common import Timer, adam_cosine, arg_parser, met, report, run_header

GOAL = 85.0
RESULTS = Path(__file__).resolve().parent / "results" / "binarized_mnist.json"
# Static binarization, test NLL in nats, as quoted when the benchmark was set up (not yet
# checked against the papers' tables).
LITERATURE = [("MLP VAE", 89.9), ("IWAE, k = 50", 87.1), ("VampPrior", 85.57)]


def _mlp_nets(latent_dim):
    """(encoder, decoder): MLPs of two hidden layers of 500, Bernoulli output."""
    return (nets.dense_encoder((28, 28, 1), latent_dim, hidden=(500, 500)),
            nets.dense_decoder(latent_dim, (28, 28, 1), hidden=(500, 500)))


def _conv_nets(latent_dim):
    """(encoder, decoder): strided convolutions of 32 and 64 filters, transposed decoder."""
    return (nets.conv_encoder((28, 28, 1), latent_dim, filters=(32, 64), kind="strided"),
            nets.conv_decoder(latent_dim, (28, 28, 1), filters=(64, 32), kind="transpose",
                              likelihood="bernoulli"))


MODELS = {
    "mlp": ("MLP VAE", lambda d: models.VAE(*_mlp_nets(d))),
    "conv": ("conv VAE", lambda d: models.VAE(*_conv_nets(d))),
    "iwae": ("MLP IWAE, k = 5", lambda d: iwae.IWAE(*_mlp_nets(d), k=5)),
    "vampprior": ("MLP VAE + VampPrior (500 pseudo-inputs)",
                  lambda d: vampprior.VampPriorVAE(*_mlp_nets(d), n_components=500)),
    "hvae": ("two-level MLP VAE", lambda d: hierarchical.dense_hierarchical_vae(
        (d, d // 2), hidden=(500, 500), top_hidden=(300,))),
    "conv-vampprior": ("conv VAE + VampPrior (500 pseudo-inputs)",
                       lambda d: vampprior.VampPriorVAE(*_conv_nets(d), n_components=500)),
}
"""name -> (description, build(latent_dim) -> an uncompiled model)."""


def build(kind, latent_dim):
    """The benchmark's model ``kind`` (a key of MODELS) for (28, 28, 1) binary images."""
    if kind not in MODELS:
        raise ValueError(f"kind={kind!r}: expected one of {sorted(MODELS)}")
    return MODELS[kind][1](latent_dim)


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
    return {"elbo": float(-scores["elbo"].mean()), "nll": float(-scores["log_likelihood"].mean()),
            "train_min": train.seconds / 60, "eval_min": score.seconds / 60}


def table(results):
    """Markdown lines of the results table: each run's machine, date, command and setting
    (once for the models it trained), one row per stored model, the literature and the goal.
    results: kind -> {"elbo", "nll", "train_min", "eval_min", "full", "header", "setting"}."""
    runs = {}
    for kind, r in results.items():
        runs.setdefault((*r["header"], f"- {r['setting']}"), []).append(f"`{kind}`")
    lines = []
    for run, kinds in runs.items():
        lines += [f"Run of {', '.join(kinds)}:", *run, ""]
    lines += ["| model | -ELBO (nats) | NLL, IW k samples (nats) | train (min) | evaluate (min) |",
              "| --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {MODELS[kind][0]} (this repo) | {r['elbo']:.2f} | {r['nll']:.2f} | "
              f"{r['train_min']:.1f} | {r['eval_min']:.1f} |" for kind, r in results.items()]
    lines += [f"| {name} (literature) | | {nll} | | |" for name, nll in LITERATURE]
    full = {kind: r for kind, r in results.items() if r["full"]}
    if full:
        best = min(full, key=lambda kind: full[kind]["nll"])
        verdict = met(full[best]["nll"], GOAL)
        lines += ["", f"Goal: test NLL <= {GOAL} nats (full size): **{verdict}** "
                      f"(best: {MODELS[best][0]}, {full[best]['nll']:.2f})"]
    return lines


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
    kinds = args.models.split(",")
    for kind in kinds:
        build(kind, args.latent_dim)            # an unknown name fails before any training
    full = args.n_train == 50000 and args.n_test == 10000 and args.k >= 1000
    setting = (f"{len(x)} training / {len(x_test)} test images, static binarization "
               f"(Larochelle), latent {args.latent_dim}, {args.epochs} epochs, Adam lr {args.lr} "
               f"cosine decay, batch {args.batch_size}; k = {args.k} importance samples")
    header = run_header(args.seed, full)
    results = json.loads(RESULTS.read_text()) if args.write and RESULTS.exists() else {}
    for kind in kinds:
        results[kind] = {**train_and_score(kind, x, x_test, args), "full": full,
                         "header": header, "setting": setting}
        if args.write:                          # each model's row is kept as soon as it is done
            RESULTS.parent.mkdir(exist_ok=True)
            RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    report("binarized-mnist", table(results), args.write)


if __name__ == "__main__":
    main()
