"""vae.gaps (grids, nearest distances, empty regions), the dense builders and the 01-02 plots."""

import matplotlib
import numpy as np
import pytest

from vae import gaps, models, plots


def test_linear_grid_is_row_major_with_z2_decreasing_down_the_rows():
    grid = gaps.linear_grid(3, 2.0)
    assert grid.shape == (9, 2)
    np.testing.assert_allclose(grid[:3], [[-2, 2], [0, 2], [2, 2]])
    np.testing.assert_allclose(grid[-1], [2, -2])
    box = gaps.linear_grid(2, ((0, 1), (5, 6)))
    np.testing.assert_allclose(box, [[0, 6], [1, 6], [0, 5], [1, 5]])


@pytest.mark.parametrize("n, lim", [(1, 2.0), (3.0, 2.0), (3, -1.0), (3, ((1, 0), (0, 1))),
                                    (3, (1, 2, 3))])
def test_linear_grid_rejects_bad_arguments(n, lim):
    with pytest.raises(ValueError):
        gaps.linear_grid(n, lim)


def test_nearest_distance_matches_brute_force():
    rng = np.random.default_rng(0)
    points, z = rng.normal(size=(7, 3)), rng.normal(size=(50, 3))
    brute = np.array([np.min(np.linalg.norm(z - p, axis=1)) for p in points])
    np.testing.assert_allclose(gaps.nearest_distance(points, z), brute, rtol=1e-7, atol=1e-7)
    with pytest.raises(ValueError, match="latent_dim"):
        gaps.nearest_distance(points, z[:, :2])


def test_empty_points_find_the_holes_of_a_ring():
    # codes on a ring of radius 3: the emptiest place inside the bounding box is the centre
    angle = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    ring = 3 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    points, dist = gaps.empty_points(ring, k=3, coverage=1.0, resolution=61)
    assert points.shape == (3, 2) and dist.shape == (3,)
    np.testing.assert_allclose(points[0], [0, 0], atol=0.11)
    assert dist[0] == pytest.approx(3, abs=0.11)
    assert np.all(np.diff(dist) <= 0)                      # most isolated first
    assert np.linalg.norm(points[1] - points[0]) > dist[0]  # a different hole
    np.testing.assert_allclose(gaps.nearest_distance(points, ring), dist)
    with pytest.raises(ValueError, match="k="):
        gaps.empty_points(ring, k=0)


def test_code_limits_leave_out_outliers():
    z = np.concatenate([np.random.default_rng(1).uniform(-1, 1, size=(1000, 2)), [[50, -50]]])
    (lo1, hi1), (lo2, hi2) = gaps.code_limits(z)
    assert -1 <= lo1 < -0.9 and 0.9 < hi1 <= 1 and -1 <= lo2 and hi2 <= 1
    with pytest.raises(ValueError, match="coverage"):
        gaps.code_limits(z, coverage=0)


def test_dense_builders_give_mirrored_models_that_round_trip_shapes():
    ae = models.dense_autoencoder(3, hidden=(32, 16))
    vae = models.dense_vae(2, hidden=(16,), beta=4.0, seed=0)
    x = np.random.default_rng(0).uniform(size=(5, 28, 28, 1)).astype("float32")
    assert ae.encode(x).shape == (5, 3) and ae.likelihood == "mse"
    assert [layer.units for layer in ae.decoder.layers if hasattr(layer, "units")][:2] == [16, 32]
    z_mean, z_log_var = vae.encode(x)
    assert z_mean.shape == z_log_var.shape == (5, 2)
    assert vae.beta == 4.0 and vae.sample(4, seed=0).shape == (4, 28, 28, 1)
    with pytest.raises(ValueError, match="latent_dim"):
        models.dense_autoencoder(0)


def test_notebook_plots_draw_without_error():
    matplotlib.use("Agg")
    grid = gaps.linear_grid(4, 2.0)
    images = np.random.default_rng(0).uniform(size=(16, 28, 28, 1))
    fig = plots.latent_manifold(images, 2.0, title="grid")
    assert fig.axes[0].images[0].get_array().shape == (4 * 28, 4 * 28)
    plots.mark_points(fig.axes[0], grid[:3])
    assert len(fig.axes[0].texts) == 3
    with pytest.raises(ValueError, match="square grid"):
        plots.latent_manifold(images[:15], 2.0)
    fig = plots.latent_scatters({"a": grid, "b": -grid}, labels=np.arange(16) % 10)
    assert [ax.get_title() for ax in fig.axes[:2]] == ["a", "b"]
    fig = plots.sweep_plot([2, 4, 8], {"AE": [3, 2, 1], "PCA": [4, 3, 2]}, "latent_dim", "MSE")
    assert len(fig.axes[0].lines) == 2
    matplotlib.pyplot.close("all")
