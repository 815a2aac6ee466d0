"""The plain autoencoder and the VAE as ``keras.Model`` subclasses.

Both define ``call()`` and ``compute_loss()``, so ``compile``/``fit``/``evaluate``/
``predict``/``save`` work as for any Keras model, on any backend. The loss follows the
course convention (see :mod:`vae.losses`): per example, reconstruction NLL summed over
pixels (+ beta * KL summed over latent dims for the VAE), then the batch mean (nats).

``call(x)`` returns a dict: ``x_hat`` (the mean of p(x|z)), ``decoded`` (the raw decoder
output the likelihood needs) and the codes (``z``; for the VAE also ``z_mean``, ``z_log_var``).
Variants (:class:`MaskedVAE` here, ``ConditionalVAE`` and ``M2`` elsewhere) override
``call`` rather than adding hooks to the VAE.
"""

import keras
import numpy as np
from keras import ops

from vae import checks, losses, nets
from vae.layers import RandomMask, Sampling, masked_input


def in_batches(fn, x, batch_size):
    """Apply ``fn`` (tensor -> tensor or tuple of tensors) to x in chunks; return NumPy.

    x: one array, or a list of arrays with the same first dimension (e.g. ``[x, c]`` for
    a conditional model); ``fn`` then gets the list of chunks. Returns one array, or a
    tuple of arrays when ``fn`` returns a tuple, each concatenated over the chunks.
    """
    single = not isinstance(x, (list, tuple))
    arrays = [np.asarray(a, dtype="float32") for a in ([x] if single else x)]
    parts = []
    for i in range(0, len(arrays[0]), batch_size):
        chunk = [a[i:i + batch_size] for a in arrays]
        parts.append(fn(chunk[0] if single else chunk))
    if isinstance(parts[0], (tuple, list)):
        return tuple(np.concatenate([ops.convert_to_numpy(p[k]) for p in parts])
                     for k in range(len(parts[0])))
    return np.concatenate([ops.convert_to_numpy(p) for p in parts])


class _EncoderDecoder(keras.Model):
    """What both models share: an encoder, a decoder and a likelihood for p(x | z)."""

    NETWORKS = ("encoder", "decoder")
    """The sub-models that ``get_config`` serializes (subclasses may add more)."""

    def __init__(self, encoder, decoder, likelihood="bernoulli", sigma=None, **kwargs):
        super().__init__(**kwargs)
        checks.one_of("likelihood", likelihood, losses.LIKELIHOODS)
        if likelihood == "gaussian":
            checks.positive("sigma", sigma, why="likelihood 'gaussian' needs a fixed sigma")
        elif sigma is not None:
            raise ValueError(f"sigma={sigma!r}: only likelihood 'gaussian' takes a fixed sigma "
                             "(expected None)")
        n_out, n_need = len(decoder.outputs), 2 if likelihood in losses.PAIRED else 1
        if n_out != n_need:
            raise ValueError(
                f"decoder has {n_out} output(s); likelihood {likelihood!r} needs {n_need}: "
                "build the decoder with the same likelihood")
        self.encoder, self.decoder = encoder, decoder
        self.likelihood, self.sigma = likelihood, sigma
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")

    @property
    def latent_dim(self):
        return self.decoder.inputs[0].shape[-1]

    def _reconstruction(self, x, y, y_pred, sample_weight):
        """Per-example reconstruction NLL (batch,) of the target (y if given, else x)."""
        if sample_weight is not None:
            raise ValueError("sample_weight: not supported by this model (expected None)")
        target = ops.cast(x if y is None else y, self.compute_dtype)
        return losses.reconstruction_nll(self.likelihood, target, y_pred["decoded"], self.sigma)

    def _decode_outputs(self, z):
        decoded = self.decoder(z)
        return {"x_hat": losses.decoded_mean(self.likelihood, decoded), "decoded": decoded}

    def encode(self, x, batch_size=1024):
        """The encoder's output(s) for x (n, *data_shape), as NumPy: the code z (n, latent_dim)
        of an autoencoder, or the posterior's (z_mean, z_log_var) of a VAE."""
        return in_batches(self.encoder, x, batch_size)

    def decode(self, z, batch_size=1024):
        """Mean of p(x | z) for codes z (n, latent_dim) -> NumPy (n, *data_shape)."""
        return in_batches(lambda b: self._decode_outputs(b)["x_hat"], z, batch_size)

    def get_config(self):
        return {**super().get_config(),
                **{key: keras.saving.serialize_keras_object(getattr(self, key))
                   for key in self.NETWORKS},
                "likelihood": self.likelihood, "sigma": self.sigma}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in cls.NETWORKS:
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


@keras.saving.register_keras_serializable(package="vae")
class Autoencoder(_EncoderDecoder):
    """Deterministic autoencoder: x -> z = encoder(x) -> decoder(z).

    encoder: x -> z (build with ``variational=False``). Loss: reconstruction NLL only
    (likelihood "mse" is the classic sum-of-squares autoencoder).
    """

    def call(self, x, training=False):
        z = self.encoder(x, training=training)
        return {"z": z, **self._decode_outputs(z)}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstruction = self._reconstruction(x, y, y_pred, sample_weight)
        self.reconstruction_tracker.update_state(reconstruction)
        return ops.mean(reconstruction) + sum(self.losses)


@keras.saving.register_keras_serializable(package="vae")
class VAE(_EncoderDecoder):
    """Variational autoencoder with a N(0, I) prior and a diagonal Gaussian posterior.

    encoder: x -> [z_mean, z_log_var]; decoder: z -> output(s) for ``likelihood``
    (one of :data:`vae.losses.LIKELIHOODS`; "gaussian" takes a fixed ``sigma``).
    Loss per example: reconstruction NLL + beta * KL(q(z|x) || N(0, I)); fit/evaluate
    report ``loss``, ``reconstruction`` and ``kl`` (the unweighted KL).
    """

    def __init__(self, encoder, decoder, likelihood="bernoulli", beta=1.0, sigma=None,
                 seed=None, **kwargs):
        super().__init__(encoder, decoder, likelihood=likelihood, sigma=sigma, **kwargs)
        if len(encoder.outputs) != 2:
            raise ValueError(f"encoder has {len(encoder.outputs)} output(s); a VAE needs "
                             "[z_mean, z_log_var] (build it with variational=True)")
        self.beta, self.seed = checks.non_negative("beta", beta), seed
        self.sampler = Sampling(seed=seed, name="sampling")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    def call(self, x, training=False):
        z_mean, z_log_var = self.encoder(x, training=training)   # q(z | x)
        z = self.sampler([z_mean, z_log_var])                     # z ~ q(z | x), reparameterized
        return {"z_mean": z_mean, "z_log_var": z_log_var, "z": z, **self._decode_outputs(z)}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstruction = self._reconstruction(x, y, y_pred, sample_weight)
        kl = losses.kl_standard_normal(y_pred["z_mean"], y_pred["z_log_var"])
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return ops.mean(reconstruction + self.beta * kl) + sum(self.losses)

    def sample(self, n, seed=None):
        """Decode n draws z ~ N(0, I): NumPy (n, *data_shape) means of p(x | z)."""
        n = checks.positive_int("n", n)
        z = keras.random.normal((n, self.latent_dim), seed=seed)
        return self.decode(ops.convert_to_numpy(z))

    def get_config(self):
        return {**super().get_config(), "beta": self.beta, "seed": self.seed}


@keras.saving.register_keras_serializable(package="vae")
class MaskedVAE(VAE):
    """A VAE whose encoder sees only the observed pixels and the mask: q(z | x_obs, observed).

    encoder: (h, w, 2c) = :func:`vae.layers.masked_input` -> [z_mean, z_log_var]; the
    decoder is an ordinary one, z -> (h, w, c). In training every image is hidden by a
    random :class:`vae.layers.RandomMask` (one rectangle with probability ``block_rate``,
    else pixels at random, up to ``max_rate``; ``spill`` as there) and the loss is the
    negative ELBO of the *complete* image, so the encoder learns to infer z from what is
    left (the amortised inference of Mattei & Frellsen's MIWAE and Ma et al.'s partial
    VAE, here with complete training data). Outside training ``call(x)`` treats x as
    complete, so ``evaluate`` gives the ordinary ELBO.
    """

    def __init__(self, encoder, decoder, likelihood="bernoulli", beta=1.0, sigma=None,
                 max_rate=0.9, block_rate=0.5, spill=0.25, seed=None, **kwargs):
        super().__init__(encoder, decoder, likelihood=likelihood, beta=beta, sigma=sigma,
                         seed=seed, **kwargs)
        in_channels, out_channels = encoder.inputs[0].shape[-1], decoder.outputs[0].shape[-1]
        if in_channels != 2 * out_channels:
            raise ValueError(f"encoder: expected {2 * out_channels} input channels (values and "
                             f"mask of the decoder's {out_channels}), got {in_channels}")
        self.hider = RandomMask(max_rate, block_rate, spill,
                                seed=None if seed is None else seed + 1, name="hider")

    def call(self, x, training=False):
        observed = self.hider(x) if training else ops.ones_like(x, dtype="bool")
        z_mean, z_log_var = self.posterior(x, observed, training=training)
        z = self.sampler([z_mean, z_log_var])
        return {"z_mean": z_mean, "z_log_var": z_log_var, "z": z, **self._decode_outputs(z)}

    def posterior(self, x, observed, training=False):
        """[z_mean, z_log_var] of q(z | x_obs, observed), each (batch, latent_dim), as tensors.

        x: (batch, h, w, c); observed: booleans like x (True = observed).
        """
        return self.encoder(masked_input(x, observed), training=training)

    def encode(self, x, batch_size=1024, *, observed=None):
        """Posterior parameters (z_mean, z_log_var), each (n, latent_dim) NumPy.

        x: (n, h, w, c); observed: booleans like x (True = observed), None = complete.
        """
        observed = np.ones(np.shape(x), bool) if observed is None else observed
        return in_batches(lambda b: self.posterior(b[0], b[1] > 0.5), [x, observed], batch_size)

    def get_config(self):
        return {**super().get_config(),
                **{key: getattr(self.hider, key) for key in ("max_rate", "block_rate", "spill")}}


# ---------------------------------------------------------------- model builders

def dense_autoencoder(latent_dim, input_shape=(28, 28, 1), hidden=(512,), likelihood="mse"):
    """The plain MLP autoencoder of notebooks 01-02: images (batch, *input_shape) -> z -> images.

    Encoder and decoder mirror each other (``hidden`` relu layers); likelihood "mse" is the
    sum of squared errors over pixels. Compile with an optimizer only.
    """
    encoder = nets.dense_encoder(input_shape, latent_dim, hidden=hidden, variational=False)
    decoder = nets.dense_decoder(latent_dim, input_shape, hidden=hidden[::-1],
                                 likelihood=likelihood)
    return Autoencoder(encoder, decoder, likelihood=likelihood)


def dense_vae(latent_dim, input_shape=(28, 28, 1), hidden=(512,), likelihood="bernoulli",
              beta=1.0, seed=None):
    """The MLP VAE of notebook 02, the variational twin of :func:`dense_autoencoder`."""
    encoder = nets.dense_encoder(input_shape, latent_dim, hidden=hidden)
    decoder = nets.dense_decoder(latent_dim, input_shape, hidden=hidden[::-1],
                                 likelihood=likelihood)
    return VAE(encoder, decoder, likelihood=likelihood, beta=beta, seed=seed)


def conv_vae(latent_dim, input_shape=(28, 28, 1), filters=(16, 32), encoder_kind="pool",
             decoder_kind="upsample", likelihood="mse", beta=1.0, seed=None):
    """A convolutional VAE: :func:`vae.nets.conv_encoder` with ``filters`` and the mirrored
    :func:`vae.nets.conv_decoder`. The defaults are the SciNet lecture's MNIST model
    (Conv2D + MaxPooling encoder, Conv2DTranspose + UpSampling2D decoder, 784 * MSE + KL)."""
    encoder = nets.conv_encoder(input_shape, latent_dim, filters=filters, kind=encoder_kind)
    decoder = nets.conv_decoder(latent_dim, input_shape, filters=filters[::-1],
                                kind=decoder_kind, likelihood=likelihood)
    return VAE(encoder, decoder, likelihood=likelihood, beta=beta, seed=seed)
