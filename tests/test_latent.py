"""vae.latent: interpolation, per-class means, grids of codes, nearest distances, empty regions."""

import numpy as np
import pytest
from scipy.stats import norm

from vae import latent


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
            latent.linear_grid(bad, 3.0)
    assert latent.inverse_cdf_grid(np.int64(3))[1].shape == (9, 2)
    assert latent.linear_grid(np.int64(2), 3.0).shape == (4, 2)


def test_linear_grid_is_row_major_with_z2_decreasing_down_the_rows():
    grid = latent.linear_grid(3, 2.0)
    assert grid.shape == (9, 2)
    np.testing.assert_allclose(grid[:3], [[-2, 2], [0, 2], [2, 2]])
    np.testing.assert_allclose(grid[-1], [2, -2])
    box = latent.linear_grid(2, ((0, 1), (5, 6)))
    np.testing.assert_allclose(box, [[0, 6], [1, 6], [0, 5], [1, 5]])


@pytest.mark.parametrize("n, lim", [(1, 2.0), (3.0, 2.0), (3, -1.0), (3, ((1, 0), (0, 1))),
                                    (3, (1, 2, 3))])
def test_linear_grid_rejects_bad_arguments(n, lim):
    with pytest.raises(ValueError):
        latent.linear_grid(n, lim)


def test_nearest_distance_matches_brute_force():
    rng = np.random.default_rng(0)
    points, z = rng.normal(size=(7, 3)), rng.normal(size=(50, 3))
    brute = np.array([np.min(np.linalg.norm(z - p, axis=1)) for p in points])
    np.testing.assert_allclose(latent.nearest_distance(points, z), brute, rtol=1e-7, atol=1e-7)
    with pytest.raises(ValueError, match="latent_dim"):
        latent.nearest_distance(points, z[:, :2])


def test_empty_points_find_the_holes_of_a_ring():
    # codes on a ring of radius 3: the emptiest place inside the bounding box is the centre
    angle = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    ring = 3 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    points, dist = latent.empty_points(ring, k=3, coverage=1.0, resolution=61)
    assert points.shape == (3, 2) and dist.shape == (3,)
    np.testing.assert_allclose(points[0], [0, 0], atol=0.11)
    assert dist[0] == pytest.approx(3, abs=0.11)
    assert np.all(np.diff(dist) <= 0)                      # most isolated first
    assert np.linalg.norm(points[1] - points[0]) > dist[0]  # a different hole
    np.testing.assert_allclose(latent.nearest_distance(points, ring), dist)
    with pytest.raises(ValueError, match="k="):
        latent.empty_points(ring, k=0)


def test_code_limits_leave_out_outliers():
    z = np.concatenate([np.random.default_rng(1).uniform(-1, 1, size=(1000, 2)), [[50, -50]]])
    (lo1, hi1), (lo2, hi2) = latent.code_limits(z)
    assert -1 <= lo1 < -0.9 and 0.9 < hi1 <= 1 and -1 <= lo2 and hi2 <= 1
    with pytest.raises(ValueError, match="coverage"):
        latent.code_limits(z, coverage=0)
