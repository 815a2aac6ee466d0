"""vae: the small library every notebook of the course imports.

Modules (one concept each):
    config  - the smoke-mode switch (``VAE_SMOKE``)
    data    - offline-first loaders for the real data sets (checksummed)
    layers  - the ``Sampling`` layer (reparameterization trick)
    losses  - KL divergences and negative log-likelihoods, one value per example
    nets    - encoder / decoder builders (dense, convolutional, Kingma's Frey MLP)
    models  - ``Autoencoder`` and ``VAE`` (``call()`` + ``compute_loss()``)
    evaluate - test scores: the ELBO and the importance-weighted log-likelihood
    plots   - every figure of the course, in one style
"""

from vae.config import SMOKE

__all__ = ["SMOKE"]
