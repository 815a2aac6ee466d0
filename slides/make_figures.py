"""Regenerate every slide figure into slides/figures/ (PNG for the decks, PDF for print).

Run with ``make figures``. Each figure is a function below that draws with ``vae.plots``
from real data and real trained models. The models come from ``vae.recipes``: loaded from
the model cache, ``$KERAS_HOME/vae-course-models/`` (``~/.keras`` by default), or, the first
time, trained there with a progress bar; each prints one line naming its cache entry. Seeds
are fixed, so the same command gives the same files.

``--smoke`` (or ``VAE_SMOKE=1``) trains each model for one epoch on 2,000 examples: a fast
check that every figure can be drawn, not figures to teach with.
"""

import argparse
import functools
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from keras import ops  # noqa: E402

from vae import collapse, data, evaluate, latent, plots, recipes  # noqa: E402
from vae.config import SMOKE  # noqa: E402

FIGURES = Path(__file__).resolve().parent / "figures"


def _mnist_test():
    """Test digits (10000, 28, 28, 1) in [0, 1] and their labels (10000,)."""
    _, (x, y) = data.load_mnist()
    return data.as_images(x), y


def _decoded_quantile_grid(model, n):
    """A 2-D model's decoder on an n x n grid of prior quantiles Phi^-1(0.05 ... 0.95)."""
    values, codes = latent.inverse_cdf_grid(n)
    return plots.manifold_grid(model.decode(codes), values, title="decoded prior quantiles")


def mnist_digits(trained):
    """The first 40 MNIST training digits with their labels."""
    (x, y), _ = data.load_mnist()
    return plots.image_grid(x[:40], ncols=10, titles=y[:40])


def ae_latent_2d(trained):
    """Codes of the 10,000 test digits under the 2-D plain autoencoder: clusters and gaps."""
    model, _ = trained("ae_mnist_2d")
    x, y = _mnist_test()
    return plots.latent_scatter(model.encode(x), y, title="autoencoder codes (test set)")


def vae_latent_2d(trained):
    """Posterior means of the 10,000 test digits under the 2-D VAE: packed near N(0, I)."""
    model, _ = trained("vae_mnist_2d")
    x, y = _mnist_test()
    z_mean, _ = model.encode(x)
    return plots.latent_scatter(z_mean, y, title="VAE posterior means (test set)")


def vae_manifold_2d(trained):
    """The 2-D VAE's decoder on a 21 x 21 inverse-CDF grid of the prior."""
    model, _ = trained("vae_mnist_2d")
    return _decoded_quantile_grid(model, 21)


def conv_vae_reconstructions(trained):
    """Ten test digits (top) and the conv VAE's reconstructions from their posterior means."""
    model, _ = trained("conv_vae_mnist")
    x, _ = _mnist_test()
    z_mean, _ = model.encode(x[:10])
    return plots.image_rows({"input": x[:10], "decoded": model.decode(z_mean)})


def conv_vae_samples(trained):
    """40 digits decoded from z ~ N(0, I) by the conv VAE (latent_dim 100)."""
    model, _ = trained("conv_vae_mnist")
    return plots.image_grid(model.sample(40, seed=0), ncols=10)


def interpolation_1_to_7(trained):
    """Decoded straight line in the conv VAE's latent space from a test '1' to a test '7'."""
    model, _ = trained("conv_vae_mnist")
    x, y = _mnist_test()
    ends = np.stack([x[np.argmax(y == 1)], x[np.argmax(y == 7)]])
    z_mean, _ = model.encode(ends)
    images = model.decode(latent.lerp(z_mean[0], z_mean[1], 10).astype("float32"))
    titles = [f"t={t:.2f}" for t in np.linspace(0, 1, 10)]
    return plots.image_grid(images, ncols=10, titles=titles)


def conv_vae_training_curves(trained):
    """Per-epoch training and validation loss, reconstruction and KL of the conv VAE."""
    _, history = trained("conv_vae_mnist")
    return plots.training_curves(history, title="conv VAE on MNIST (784 MSE + KL)")


def frey_faces(trained):
    """30 faces, evenly spaced through Brendan Frey's 1,965-frame video."""
    faces = data.load_frey_faces()
    return plots.image_grid(faces[:: len(faces) // 30][:30], ncols=10)


def frey_vae_samples(trained):
    """30 faces decoded from z ~ N(0, I) by Kingma & Welling's 2-D Frey-face VAE."""
    model, _ = trained("vae_frey_2d")
    return plots.image_grid(model.sample(30, seed=0), ncols=10)


def frey_manifold_2d(trained):
    """The 2-D Frey-face VAE's decoder on a 13 x 13 inverse-CDF grid: pose and expression."""
    model, _ = trained("vae_frey_2d")
    return _decoded_quantile_grid(model, 13)


def load_profiles_by_season(trained):
    """Daily load profiles of the UCI household in January vs July."""
    days = data.load_household_power()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3), sharey=True)
    for ax, month, name in zip(axes, (1, 7), ("January", "July")):
        plots.load_profiles(days.x[days.month == month], ax=ax,
                            title=f"{name} ({np.sum(days.month == month)} days)")
    fig.tight_layout()
    return fig


def _bmnist_validation(n):
    """The first n binarized-MNIST validation digits, for lecture 6's diagnostics (not test)."""
    return recipes.binarized_mnist_images()[1][:n]


def collapse_kl_per_dimension(trained):
    """KL of each latent dimension on 2,000 validation digits: plain VAE vs warm-up + free bits."""
    x, kls = _bmnist_validation(2000), {}
    for name, label in (("vae_bmnist_beta1", "VAE"),
                        ("vae_bmnist_warmup_freebits", "warm-up + free bits")):
        model, _ = trained(name)
        z_mean, z_log_var = model.encode(x)
        kls[f"{label}: {collapse.active_units(z_mean)} active units"] = \
            collapse.kl_per_dimension(z_mean, z_log_var)
    floor = trained("vae_bmnist_warmup_freebits")[0].free_bits
    return plots.kl_per_dimension(kls, threshold=floor, title="binarized MNIST, 32 latent dims")


def rate_distortion(trained):
    """Rate (KL) and distortion (reconstruction NLL) of the beta-VAEs on 2,000 validation digits."""
    x, points = _bmnist_validation(2000), []
    for beta in recipes.BMNIST_BETAS:
        model, _ = trained(f"vae_bmnist_beta{beta:g}")
        scores = model.evaluate(x, batch_size=500, verbose=0, return_dict=True)
        points.append((scores["kl"], scores["reconstruction"]))
    rates, distortions = zip(*points)
    return plots.rate_distortion(rates, distortions,
                                 [f"beta={b:g}" for b in recipes.BMNIST_BETAS],
                                 title="beta-VAEs on binarized MNIST")


def iw_bound_vs_k(trained):
    """Mean importance-weighted bound against k on 200 validation digits: VAE vs IWAE (k=5)."""
    x, ks = _bmnist_validation(200), [1, 3, 10, 30, 100, 300, 1000]
    fig, ax = plt.subplots(figsize=(5, 3.2))
    for name, label in (("vae_bmnist_beta1", "trained as a VAE"),
                        ("iwae_bmnist_k5", "trained as an IWAE, k=5")):
        log_w = evaluate.importance_log_weights(trained(name)[0], x, k=ks[-1], chunk=250)
        plots.bound_vs_k(ks, evaluate.bound_curve(log_w, ks), ax=ax, label=label)
    ax.set_title("same networks, two objectives")
    return fig


def vampprior_pseudo_inputs(trained):
    """Ten learned pseudo-inputs u_k of the VampPrior VAE and ten of its samples."""
    model, _ = trained("vampprior_bmnist")
    pseudo = ops.convert_to_numpy(model.pseudo_inputs())[:10]
    return plots.image_rows({"pseudo-inputs": pseudo, "samples": model.sample(10, seed=0)})


def binarized_samples(trained):
    """Ten samples (Bernoulli means) from each of lecture 6's models on binarized MNIST."""
    rows = {label: trained(name)[0].sample(10, seed=0) for name, label in (
        ("vae_bmnist_beta1", "VAE"), ("iwae_bmnist_k5", "IWAE"),
        ("vampprior_bmnist", "VampPrior"), ("hvae_bmnist", "two levels"))}
    return plots.image_rows(rows)


FIGURE_FUNCTIONS = [mnist_digits, ae_latent_2d, vae_latent_2d, vae_manifold_2d,
                    conv_vae_reconstructions, conv_vae_samples, interpolation_1_to_7,
                    conv_vae_training_curves, frey_faces, frey_vae_samples, frey_manifold_2d,
                    load_profiles_by_season, collapse_kl_per_dimension, rate_distortion,
                    iw_bound_vs_k, vampprior_pseudo_inputs, binarized_samples]
"""Every figure, in drawing order; ``NAME.png`` / ``NAME.pdf`` with NAME the function name."""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=FIGURES, help="output folder")
    parser.add_argument("--seed", type=int, default=0, help="seed of every trained model")
    parser.add_argument("--smoke", action="store_true", default=SMOKE,
                        help="tiny training (default: on when VAE_SMOKE=1)")
    args = parser.parse_args(argv)
    plots.use_style()
    trained = functools.cache(functools.partial(recipes.load_or_train, seed=args.seed,
                                                smoke=args.smoke))
    start = time.perf_counter()
    for make in FIGURE_FUNCTIONS:
        fig = make(trained)
        png, _ = plots.save_fig(fig, make.__name__, args.out)
        plt.close(fig)
        print(f"wrote {png} (+ .pdf)  [{time.perf_counter() - start:.0f} s]", flush=True)


if __name__ == "__main__":
    main()
