"""vae: the small library every notebook of the course imports.

Modules (one concept each):
    config  - the smoke-mode switch (``VAE_SMOKE``)
    data    - offline-first loaders for the real data sets (checksummed)
    layers  - the ``Sampling`` layer (reparameterization trick), ``RandomMask`` for training
              with missing pixels
    losses  - KL divergences and negative log-likelihoods, one value per example
    nets    - encoder / decoder builders (dense, convolutional, Kingma's Frey MLP)
    models  - ``Autoencoder``, ``VAE`` and the mask-aware ``MaskedVAE`` (``call()`` +
              ``compute_loss()``)
    conditional - ``ConditionalVAE`` (condition on encoder input and on z)
    m2      - Kingma et al. (2014)'s semi-supervised ``M2`` and its mixed batches
    impute  - mean fill, k-NN and VAE imputation of missing pixels (encode-decode
              iteration, and importance sampling with a ``MaskedVAE``)
    evaluate - test scores: the ELBO and the importance-weighted log-likelihood
    plots   - every figure of the course, in one style
    latent  - walking the latent space: lerp/slerp, per-class means, inverse-CDF grids
    convolution - a NumPy transposed convolution, the reference for Conv2DTranspose
    gaps    - grids of 2-D codes and the empty regions between codes
"""

from vae.config import SMOKE

__all__ = ["SMOKE"]
