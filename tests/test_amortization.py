"""vae.amortization on probabilistic PCA, where the exact posterior is a diagonal Gaussian:
the approximation gap is zero, so refining a wrong encoder's posteriors must reach the exact
log p(x) (SciPy), and the improvement is the whole gap."""

import numpy as np
from test_evaluate import MISMATCH, _ppca

from vae import amortization, evaluate


def test_refined_posteriors_close_the_gap_to_the_exact_log_likelihood():
    vae, exact, x = _ppca(**MISMATCH)
    z_mean, z_log_var = vae.encode(x)
    amortized = amortization.elbo_of(vae, x, z_mean, z_log_var, k=2000, seed=1)
    np.testing.assert_allclose(amortized.mean(), evaluate.elbo(vae, x, k=2000, seed=2).mean(),
                               atol=0.03)                             # the same ELBO, other draws
    refined = amortization.elbo_of(vae, x, *amortization.refine_posteriors(vae, x, steps=400),
                                   k=2000, seed=1)
    assert np.mean(exact - amortized) > 0.1                          # a real amortization gap
    error = np.abs(refined - exact)                                   # ... closed by refinement,
    assert error.mean() < 0.03 and error.max() < 0.12, error          # up to the SGD noise
    np.testing.assert_allclose(vae.encode(x)[0], z_mean)              # the encoder is untouched
