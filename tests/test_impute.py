"""Imputation: observed pixels never change, the k-NN maths, bad ``observed`` -> ValueError."""

import numpy as np
import pytest

from vae import conditional, data, impute, models, nets
from vae.impute import (
    conditional_impute,
    knn_impute,
    masked_vae_impute,
    mean_fill,
    observed_distances,
    vae_impute,
)


@pytest.fixture(scope="module")
def mnist():
    (x, _), (xt, _) = data.load_mnist()
    rng = np.random.default_rng(0)
    x_test = data.as_images(xt[:20])
    return data.as_images(x[:500]), x_test, rng.uniform(size=x_test.shape) > 0.5


def _vae():
    return models.VAE(nets.dense_encoder((28, 28, 1), 2, hidden=(16,)),
                      nets.dense_decoder(2, (28, 28, 1), hidden=(16,)), seed=0)


def _masked_vae():
    return models.MaskedVAE(nets.dense_encoder((28, 28, 2), 2, hidden=(16,)),
                            nets.dense_decoder(2, (28, 28, 1), hidden=(16,)), seed=0)


def _inpainter(condition_dim=2 * 784):
    return conditional.ConditionalVAE(
        nets.dense_conditional_encoder((28, 28, 1), condition_dim, 2, hidden=(16,)),
        nets.dense_conditional_decoder(2, condition_dim, (28, 28, 1), hidden=(16,)),
        seed=0)


@pytest.mark.parametrize("method", ["mean", "1nn", "knn", "vae", "gibbs", "masked",
                                    "conditional", "conditional sample"])
def test_observed_pixels_never_change_and_output_is_in_range(mnist, method):
    x_train, x, mask = mnist
    filled = {"mean": lambda: mean_fill(x, mask, x_train),
              "1nn": lambda: knn_impute(x, mask, x_train, k=1, batch_size=7),
              "knn": lambda: knn_impute(x, mask, x_train, k=10),
              "vae": lambda: vae_impute(_vae(), x, mask, n_iter=3),
              "gibbs": lambda: vae_impute(_vae(), x, mask, n_iter=6, sample=True, seed=0),
              "masked": lambda: masked_vae_impute(_masked_vae(), np.where(mask, x, np.nan), mask,
                                                  n_samples=5, batch_size=7),
              "conditional": lambda: conditional_impute(_inpainter(), np.where(mask, x, np.nan),
                                                        mask, batch_size=7),
              "conditional sample": lambda: conditional_impute(_inpainter(), x, mask,
                                                               sample=True, seed=0)}[method]()
    assert filled.shape == x.shape and filled.dtype == np.float32
    np.testing.assert_array_equal(filled[mask], x[mask])
    assert filled.min() >= 0 and filled.max() <= 1


def test_distances_match_a_loop_and_1nn_copies_the_nearest_image(mnist):
    x_train, x, mask = mnist
    flat, m, train = x.reshape(20, -1), mask.reshape(20, -1), x_train.reshape(500, -1)
    d = observed_distances(flat[:3], m[:3], train)
    for i in range(3):
        loop = np.sqrt(((flat[i, m[i]] - train[:, m[i]]) ** 2).sum(axis=1))
        np.testing.assert_allclose(d[i], loop, rtol=1e-4, atol=1e-3)
    nearest = train[d[0].argmin()]
    filled = knn_impute(x[:1], mask[:1], x_train, k=1).reshape(-1)
    np.testing.assert_allclose(filled[~m[0]], nearest[~m[0]])


def test_knn_with_two_neighbours_uses_softmax_of_minus_distance():
    train = np.array([[0.0, 0.0], [0.0, 1.0], [3.0, 0.5]], "float32")
    x, mask = np.array([[0.5, 0.0]], "float32"), np.array([[True, False]])
    w = np.exp([-0.5, -0.5]) / np.exp([-0.5, -0.5]).sum()
    np.testing.assert_allclose(knn_impute(x, mask, train, k=2)[0, 1], w @ [0.0, 1.0])


@pytest.mark.parametrize("mask, match", [
    (np.ones((20, 28, 28, 1)), "boolean"),
    (np.ones((20, 28, 28), bool), "shape"),
    (np.zeros((20, 28, 28, 1), bool), "at least one"),
])
def test_bad_observed_arrays_are_value_errors(mnist, mask, match):
    x_train, x, _ = mnist
    for imputer in (lambda: mean_fill(x, mask, x_train), lambda: knn_impute(x, mask, x_train),
                    lambda: vae_impute(_vae(), x, mask),
                    lambda: masked_vae_impute(_masked_vae(), x, mask),
                    lambda: conditional_impute(_inpainter(), x, mask)):
        with pytest.raises(ValueError, match=match):
            imputer()


def test_bad_k_and_n_iter_are_value_errors(mnist):
    x_train, x, mask = mnist
    with pytest.raises(ValueError, match="k="):
        knn_impute(x, mask, x_train, k=0)
    with pytest.raises(ValueError, match="k=501"):
        knn_impute(x, mask, x_train, k=501)
    assert knn_impute(x, mask, x_train, k=np.int64(3)).shape == x.shape   # NumPy ints are ints
    with pytest.raises(ValueError, match="n_iter"):
        vae_impute(_vae(), x, mask, n_iter=0)
    with pytest.raises(ValueError, match="n_samples"):
        masked_vae_impute(_masked_vae(), x, mask, n_samples=0)
    with pytest.raises(ValueError, match="MaskedVAE"):
        masked_vae_impute(_vae(), x, mask)
    with pytest.raises(ValueError, match="ConditionalVAE"):
        conditional_impute(_masked_vae(), x, mask)
    with pytest.raises(ValueError, match="masked input"):
        conditional_impute(_inpainter(condition_dim=784), x, mask)


def test_conditional_fill_depends_on_what_is_seen_and_samples_differ(mnist):
    _, x, mask = mnist
    model = _inpainter()
    a = conditional_impute(model, x[:1], mask[:1])
    b = conditional_impute(model, x[:1], mask[:1] & impute.hide_half((1, 28, 28, 1), "bottom"))
    assert not np.allclose(a[~mask[:1]], b[~mask[:1]])      # seeing less changes the fill
    draws = [conditional_impute(model, x[:2], mask[:2], sample=True, seed=s) for s in (0, 1)]
    assert not np.allclose(draws[0], draws[1])


def test_observed_condition_is_the_zero_filled_image_then_the_mask():
    x = np.array([[[0.25, np.nan], [0.5, 1.0]]], "float32")       # (1, 2, 2)
    mask = np.array([[[True, False], [True, True]]])
    np.testing.assert_array_equal(impute.observed_condition(x, mask),
                                  [[0.25, 0.0, 0.5, 1.0, 1.0, 0.0, 1.0, 1.0]])


# ---------------------------------------------------------------- half masks, RMSE, Frey faces

@pytest.fixture(scope="module")
def frey_vae():
    return models.VAE(*nets.frey_mlp(latent_dim=2, hidden=16), likelihood="gaussian_learned",
                      seed=0)


def _faces(n=6):
    return np.random.default_rng(0).uniform(size=(n, 28, 20, 1)).astype("float32")


@pytest.mark.parametrize("side", ["right", "left", "bottom", "top"])
def test_hidden_halves_keep_observed_pixels_even_with_nan_holes(frey_vae, side):
    x = _faces()
    mask = impute.hide_half(x.shape, side)
    assert mask.mean() == 0.5
    filled = vae_impute(frey_vae, np.where(mask, x, np.nan), mask, n_iter=3)
    assert filled.shape == x.shape and np.isfinite(filled).all()
    np.testing.assert_array_equal(filled[mask], x[mask])
    assert not np.allclose(filled[~mask], x[~mask])


def test_imputation_fills_missing_pixels_with_decoder_means(frey_vae):
    x = _faces()
    mask = impute.hide_half(x.shape, "bottom")
    filled = vae_impute(frey_vae, x, mask, n_iter=2)
    decoded = frey_vae.decode(frey_vae.encode(filled)[0])
    again = vae_impute(frey_vae, x, mask, n_iter=1, fill=filled)   # one more step
    np.testing.assert_allclose(again[~mask], decoded[~mask], atol=1e-6)


def test_default_fill_is_the_mean_observed_value():
    x = _faces(2)
    mask = impute.hide_half(x.shape, "right")

    class Identity:                      # encode -> decode returns its input
        def encode(self, x, batch_size=None):
            return x.reshape(len(x), -1), None

        def decode(self, z, batch_size=None):
            return z

    filled = vae_impute(Identity(), x, mask, n_iter=1)
    np.testing.assert_allclose(filled[0][~mask[0]], x[0][mask[0]].mean(), rtol=1e-6)


def test_bad_fill_side_and_scoring_arguments_raise(frey_vae):
    x = _faces()
    with pytest.raises(ValueError, match="fill"):
        vae_impute(frey_vae, x, impute.hide_half(x.shape), fill=np.zeros((3, 28)))
    with pytest.raises(ValueError, match="side"):
        impute.hide_half(x.shape, "middle")
    with pytest.raises(ValueError, match="no missing"):
        impute.masked_rmse(x, x, np.ones(x.shape, bool))


def test_masked_rmse_scores_only_missing_entries():
    x = np.zeros((1, 2, 2, 1))
    filled = np.array([[[[9.0], [3.0]], [[9.0], [4.0]]]])
    mask = impute.hide_half(x.shape, "right")           # left column observed
    assert impute.masked_rmse(x, filled, mask) == pytest.approx(np.sqrt((9 + 16) / 2))


def test_paired_rmse_interval_is_zero_for_equal_fills_and_negative_for_a_better_one(mnist):
    _, x, mask = mnist
    rng = np.random.default_rng(1)
    good = np.where(mask, x, x + 0.05 * rng.standard_normal(x.shape))
    bad = np.where(mask, x, x + 0.2 * rng.standard_normal(x.shape))
    assert impute.paired_rmse_interval(x, good, good, mask, seed=0) == (0.0, 0.0)
    low, high = impute.paired_rmse_interval(x, good, bad, mask, n_boot=200, seed=0)
    assert low <= high < 0
    true_diff = impute.masked_rmse(x, good, mask) - impute.masked_rmse(x, bad, mask)
    assert low <= true_diff <= high
    with pytest.raises(ValueError, match="level"):
        impute.paired_rmse_interval(x, good, bad, mask, level=95)
    with pytest.raises(ValueError, match="n_boot"):
        impute.paired_rmse_interval(x, good, bad, mask, n_boot=0)
    with pytest.raises(ValueError, match="no missing"):
        impute.paired_rmse_interval(x, good, bad, np.ones_like(mask))


def test_mnist_patterns_hide_what_their_names_say_and_mixed_patterns_draws_all_four():
    rng = np.random.default_rng(0)
    missing = {name: 1 - make(400, rng) for name, make in impute.MNIST_PATTERNS.items()}
    assert abs(missing["random 50%"].mean() - 0.5) < 0.01
    assert abs(missing["random 80%"].mean() - 0.8) < 0.01
    assert missing["centre block"][:, 7:21, 7:21].all()
    assert missing["centre block"].sum() == 400 * 14 * 14
    assert missing["bottom half"][:, 14:].all() and not missing["bottom half"][:, :14].any()
    mixed = impute.mixed_patterns(400, rng)
    fixed = [np.array_equal(m, make(1, rng)[0]) for m in mixed
             for make in (impute.MNIST_PATTERNS["centre block"],
                          impute.MNIST_PATTERNS["bottom half"])]
    assert 100 < sum(fixed) < 300                # about half are the two fixed regions
    assert 1 - mixed.mean() > 0.3 and mixed.shape == (400, 28, 28, 1)
