"""Imputation with a VAE: observed entries stay fixed, masks are checked."""

import numpy as np
import pytest

from vae import impute, models, nets


@pytest.fixture(scope="module")
def frey_vae():
    return models.VAE(*nets.frey_mlp(latent_dim=2, hidden=16), likelihood="gaussian_learned",
                      seed=0)


def _faces(n=6):
    return np.random.default_rng(0).uniform(size=(n, 28, 20, 1)).astype("float32")


@pytest.mark.parametrize("hide", ["right", "left", "bottom", "top"])
def test_imputation_never_changes_observed_pixels(frey_vae, hide):
    x = _faces()
    mask = impute.half_mask(x.shape, hide)
    assert mask.mean() == 0.5
    filled = impute.vae_impute(frey_vae, np.where(mask, x, np.nan), mask, n_iter=3)
    assert filled.shape == x.shape and np.isfinite(filled).all()
    np.testing.assert_array_equal(filled[mask], x[mask])
    assert not np.allclose(filled[~mask], x[~mask])


def test_imputation_fills_missing_pixels_with_decoder_means(frey_vae):
    x = _faces()
    mask = impute.half_mask(x.shape, "bottom")
    filled = impute.vae_impute(frey_vae, x, mask, n_iter=2)
    decoded = frey_vae.decode(frey_vae.encode(filled)[0])
    again = impute.vae_impute(frey_vae, x, mask, n_iter=1, init=filled)   # one more step
    np.testing.assert_allclose(again[~mask], decoded[~mask], atol=1e-6)


def test_default_init_is_the_mean_observed_value():
    x = _faces(2)
    mask = impute.half_mask(x.shape, "right")

    class Identity:                      # encode -> decode returns its input
        def encode(self, x):
            return x, None

        def decode(self, z):
            return z

    filled = impute.vae_impute(Identity(), x, mask, n_iter=1)
    np.testing.assert_allclose(filled[0][~mask[0]], x[0][mask[0]].mean(), rtol=1e-6)


@pytest.mark.parametrize("mask, match", [
    (np.ones((6, 28, 20), bool), "mask: expected the shape"),
    (np.full((6, 28, 20, 1), 0.5), "mask: expected booleans"),
    (np.zeros((6, 28, 20, 1), bool), "at least one observed"),
])
def test_bad_masks_raise(frey_vae, mask, match):
    with pytest.raises(ValueError, match=match):
        impute.vae_impute(frey_vae, _faces(), mask)


def test_bad_arguments_raise(frey_vae):
    x = _faces()
    with pytest.raises(ValueError, match="n_iter"):
        impute.vae_impute(frey_vae, x, impute.half_mask(x.shape), n_iter=0)
    with pytest.raises(ValueError, match="init"):
        impute.vae_impute(frey_vae, x, impute.half_mask(x.shape), init=np.zeros((3, 28)))
    with pytest.raises(ValueError, match="hide"):
        impute.half_mask(x.shape, "middle")
    with pytest.raises(ValueError, match="no missing"):
        impute.masked_rmse(x, x, np.ones(x.shape, bool))


def test_masked_rmse_scores_only_missing_entries():
    x = np.zeros((1, 2, 2, 1))
    filled = np.array([[[[9.0], [3.0]], [[9.0], [4.0]]]])
    mask = impute.half_mask(x.shape, "right")           # left column observed
    assert impute.masked_rmse(x, filled, mask) == pytest.approx(np.sqrt((9 + 16) / 2))
