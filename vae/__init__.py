"""vae: the small library every notebook of the course imports.

Modules (one concept each):
    startup     - Keras imported without its backend's C++ start-up noise (``import vae``
                  before ``import keras``)
    config      - the course's environment switches (``VAE_SMOKE``) and Keras' folder
    backend     - which Keras backend runs (TensorFlow, JAX or PyTorch), the setup cell's
                  ``describe()`` line, data-parallel training (``VAE_DATA_PARALLEL=1``)
    checks      - argument checks: bad input -> ValueError naming the argument
    data        - offline-first loaders for the real data sets (checksummed), the Frey split
    layers      - the ``Sampling`` layer (reparameterization trick), ``RandomMask`` for
                  training with missing pixels
    losses      - KL divergences and negative log-likelihoods, one value per example
    nets        - every network: dense, convolutional, conditional, Kingma's Frey MLP,
                  the M2 classifier
    models      - ``Autoencoder``, ``VAE`` and the mask-aware ``MaskedVAE`` (``call()`` +
                  ``compute_loss()``), and their builders
    conditional - ``ConditionalVAE`` (condition on encoder input and on z), circular features
    m2          - Kingma et al. (2014)'s semi-supervised ``M2`` and its mixed batches
    impute      - mean fill, k-NN and VAE imputation of missing pixels
    evaluate    - test scores: the ELBO and the importance-weighted log-likelihood
    collapse    - posterior collapse: active units, KL per dimension, and ``KLControlVAE``
                  (KL warm-up, free bits)
    amortization - the amortization gap: posteriors optimised per example, decoder fixed
    iwae        - ``IWAE``: the importance-weighted bound as the training objective
    vampprior   - ``VampPriorVAE``: a mixture prior on learned pseudo-inputs
    hierarchical - ``HierarchicalVAE``: two stochastic layers, and its MLP builder
    latent      - points, paths and grids in a latent space: lerp/slerp, class means,
                  grids of codes, the empty regions of a 2-D code space
    convolution - a NumPy transposed convolution, the reference for Conv2DTranspose
    plots       - every figure of the course, in one style
    recipes     - the course's standard trained models, built, trained and cached
    exercises   - feedback on the notebooks' exercises (one checker module per notebook)
"""

from vae.config import SMOKE
from vae.startup import import_keras_quietly

import_keras_quietly()   # before any module of the library imports Keras

from vae import backend  # noqa: E402  (it imports Keras: only after the quiet import above)

backend.configure_from_environment()

__all__ = ["SMOKE"]
