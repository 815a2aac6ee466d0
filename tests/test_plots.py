"""vae.plots' inverse-CDF latent grid, checked against scipy's normal CDF."""

import numpy as np
import pytest
from scipy.stats import norm

from vae import plots


def test_normal_quantile_grid_has_equal_prior_mass_steps():
    z = plots.normal_quantile_grid(n=5, tail=0.1)
    assert z.shape == (25, 2)
    np.testing.assert_allclose(norm.cdf(z[:5, 0]), np.linspace(0.1, 0.9, 5), atol=1e-6)
    np.testing.assert_allclose(norm.cdf(z[::5, 1]), np.linspace(0.9, 0.1, 5), atol=1e-6)


def test_latent_manifold_tiles_decoded_grid():
    fig = plots.latent_manifold(lambda z: np.zeros((len(z), 28, 20, 1)), n=4)
    assert fig.axes[0].images[0].get_array().shape == (4 * 28, 4 * 20)


@pytest.mark.parametrize("kwargs", [{"n": 1}, {"tail": 0.5}])
def test_normal_quantile_grid_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        plots.normal_quantile_grid(**kwargs)
