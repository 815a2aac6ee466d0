"""Interpolation, per-class means and the inverse-CDF grid."""

import numpy as np
import pytest
from scipy.stats import norm

from vae import gaps, latent


def _pair(d=16, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=d), rng.normal(size=d)


@pytest.mark.parametrize("fn", [latent.lerp, latent.slerp])
def test_paths_start_and_end_at_the_endpoints(fn):
    z0, z1 = _pair()
    path = fn(z0, z1, 7)
    assert path.shape == (7, 16)
    np.testing.assert_allclose(path[0], z0, atol=1e-12)
    np.testing.assert_allclose(path[-1], z1, atol=1e-12)


def test_slerp_keeps_unit_norm_and_moves_at_constant_angle():
    z0, z1 = _pair()
    z0, z1 = z0 / np.linalg.norm(z0), z1 / np.linalg.norm(z1)
    path = latent.slerp(z0, z1, 11)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1.0, atol=1e-12)
    steps = np.arccos(np.clip(np.sum(path[1:] * path[:-1], axis=1), -1, 1))
    np.testing.assert_allclose(steps, steps[0], atol=1e-9)


def test_slerp_midpoint_is_the_linear_midpoint_scaled_up():
    z0, z1 = _pair(seed=3)
    omega = np.arccos(z0 @ z1 / np.linalg.norm(z0) / np.linalg.norm(z1))
    mid_lin, mid_sph = latent.lerp(z0, z1, 3)[1], latent.slerp(z0, z1, 3)[1]
    np.testing.assert_allclose(mid_sph, mid_lin / np.cos(omega / 2))


def test_slerp_of_parallel_codes_is_the_straight_line():
    z0 = np.arange(1.0, 5.0)
    np.testing.assert_allclose(latent.slerp(z0, 2 * z0, 5), latent.lerp(z0, 2 * z0, 5))


def test_interpolation_rejects_bad_arguments():
    z0, z1 = _pair()
    with pytest.raises(ValueError, match="n_steps"):
        latent.slerp(z0, z1, 1)
    with pytest.raises(ValueError, match="z0, z1"):
        latent.lerp(z0, z1[:3], 5)


def test_class_means_against_a_loop():
    rng = np.random.default_rng(0)
    z, labels = rng.normal(size=(200, 3)), rng.integers(0, 4, size=200)
    expected = np.stack([z[labels == k].mean(axis=0) for k in range(4)])
    np.testing.assert_allclose(latent.class_means(z, labels), expected)
    with pytest.raises(ValueError, match="labels"):
        latent.class_means(z, labels, n_classes=6)


def test_inverse_cdf_grid_has_equal_probability_spacing_and_image_orientation():
    values, codes = latent.inverse_cdf_grid(5)
    np.testing.assert_allclose(np.diff(norm.cdf(values)), 0.9 / 4)
    assert codes.shape == (25, 2)
    assert codes[0, 0] < codes[4, 0] and codes[0, 1] > codes[-1, 1]   # left->right, top->bottom
    with pytest.raises(ValueError, match="low"):
        latent.inverse_cdf_grid(5, low=0.0)


def test_grid_sizes_must_be_integers_of_at_least_two():
    for bad in (1, 2.0, True):
        with pytest.raises(ValueError, match="integer >= 2"):
            latent.inverse_cdf_grid(bad)
        with pytest.raises(ValueError, match="integer >= 2"):
            gaps.linear_grid(bad, 3.0)
    assert latent.inverse_cdf_grid(np.int64(3))[1].shape == (9, 2)
    assert gaps.linear_grid(np.int64(2), 3.0).shape == (4, 2)
