"""Encoder and decoder builders (Keras functional models).

The one home of the course's networks. Encoders map images ``(batch, *input_shape)`` to
``[z_mean, z_log_var]``, each (batch, latent_dim) (or to a single code z when
``variational=False``, for the plain autoencoder). Decoders map z (batch, latent_dim) to
what the likelihood needs, shaped like the data: logits (bernoulli), a mean (gaussian,
mse), ``[mean, log_var]`` (gaussian_learned, log_normal) or two maps (beta); see
:mod:`vae.losses`. Conditional encoders and decoders also take a condition c (batch,
condition_dim); a classifier maps x to class logits. Models that combine them live in
:mod:`vae.models`, :mod:`vae.conditional` and :mod:`vae.m2`.
"""

import math

import keras
from keras import layers

from vae import checks
from vae.losses import LIKELIHOODS

ENCODER_KINDS = ("pool", "strided")
DECODER_KINDS = ("upsample", "transpose")


# ---------------------------------------------------------------- heads

def _latent_heads(h, latent_dim, variational):
    """Dense heads: [z_mean, z_log_var] (variational) or the code z."""
    if not variational:
        return layers.Dense(latent_dim, name="z")(h)
    return [layers.Dense(latent_dim, name="z_mean")(h),
            layers.Dense(latent_dim, name="z_log_var")(h)]


def _output_heads(h, likelihood, mean_activation, head):
    """Decoder output(s) for ``likelihood``; ``head(h, activation, name)`` makes one."""
    checks.one_of("likelihood", likelihood, LIKELIHOODS)
    if likelihood == "bernoulli":
        return head(h, None, "logits")
    if likelihood == "beta":
        return [head(h, None, "x_alpha_raw"), head(h, None, "x_beta_raw")]
    if likelihood == "log_normal":
        return [head(h, None, "log_x_mean"), head(h, None, "log_x_log_var")]
    mean = head(h, mean_activation, "x_mean")
    if likelihood == "gaussian_learned":
        return [mean, head(h, None, "x_log_var")]
    return mean


# ---------------------------------------------------------------- dense (MLP)

def dense_encoder(input_shape, latent_dim, hidden=(512,), activation="relu",
                  variational=True, name="encoder"):
    """MLP encoder: flatten -> Dense(hidden...) -> [z_mean, z_log_var] (or z).

    input_shape: e.g. (28, 28, 1); output(s): (batch, latent_dim).
    """
    input_shape = checks.shape("input_shape", input_shape)
    checks.positive_int("latent_dim", latent_dim)
    x = keras.Input(shape=input_shape, name="x")
    h = layers.Flatten()(x)
    for units in checks.positive_ints("hidden", hidden):
        h = layers.Dense(units, activation=activation)(h)
    return keras.Model(x, _latent_heads(h, latent_dim, variational), name=name)


def dense_decoder(latent_dim, output_shape, hidden=(512,), activation="relu",
                  likelihood="bernoulli", mean_activation="sigmoid", name="decoder"):
    """MLP decoder: z (batch, latent_dim) -> Dense(hidden...) -> output(s) (batch, *output_shape).

    mean_activation: applied to the mean head ("sigmoid" for pixels in [0, 1], None for
    unbounded data such as standardised load profiles).
    """
    checks.positive_int("latent_dim", latent_dim)
    output_shape = checks.shape("output_shape", output_shape)
    z = keras.Input(shape=(latent_dim,), name="z")
    h = z
    for units in checks.positive_ints("hidden", hidden):
        h = layers.Dense(units, activation=activation)(h)

    def head(h, act, head_name):
        h = layers.Dense(math.prod(output_shape), activation=act, name=f"{head_name}_flat")(h)
        return layers.Reshape(output_shape, name=head_name)(h)

    return keras.Model(z, _output_heads(h, likelihood, mean_activation, head), name=name)


# ---------------------------------------------------------------- convolutional

def conv_encoder(input_shape, latent_dim, filters=(16, 32), kind="pool",
                 variational=True, name="encoder"):
    """Convolutional encoder, each stage halving height and width.

    kind="pool": Conv2D(f, 3, relu, same) -> MaxPooling2D(2) per stage (the SciNet lecture's);
    kind="strided": Conv2D(f, 3, strides=2, relu, same) per stage. Then Flatten -> heads.
    input_shape: (height, width, channels), e.g. (28, 28, 1) or (28, 20, 1).
    """
    input_shape = checks.shape("input_shape", input_shape, ndim=3)
    checks.positive_int("latent_dim", latent_dim)
    checks.one_of("kind", kind, ENCODER_KINDS)
    x = keras.Input(shape=input_shape, name="x")
    h = x
    for f in checks.positive_ints("filters", filters):
        if kind == "pool":
            h = layers.Conv2D(f, 3, activation="relu", padding="same")(h)
            h = layers.MaxPooling2D(2)(h)
        else:
            h = layers.Conv2D(f, 3, strides=2, activation="relu", padding="same")(h)
    h = layers.Flatten()(h)
    return keras.Model(x, _latent_heads(h, latent_dim, variational), name=name)


def conv_decoder(latent_dim, output_shape, filters=(32, 16), kind="upsample",
                 likelihood="mse", mean_activation="sigmoid", name="decoder"):
    """Convolutional decoder, each stage doubling height and width.

    Dense(h/s * w/s * filters[0], relu) -> Reshape, then per stage
    kind="upsample": Conv2DTranspose(f, 3, relu, same) -> UpSampling2D(2) (the lecture's);
    kind="transpose": Conv2DTranspose(f, 3, strides=2, relu, same).
    Last: Conv2DTranspose(channels, 3, same) head(s). s = 2 ** len(filters) must divide
    height and width of output_shape, e.g. (28, 28, 1) or (28, 20, 1) with two stages.
    """
    checks.positive_int("latent_dim", latent_dim)
    output_shape = checks.shape("output_shape", output_shape, ndim=3)
    filters = checks.positive_ints("filters", filters)
    checks.one_of("kind", kind, DECODER_KINDS)
    height, width, channels = output_shape
    scale = 2 ** len(filters)
    if height % scale or width % scale:
        raise ValueError(f"output_shape={output_shape}: height and width must be divisible "
                         f"by {scale} (2 ** number of stages)")
    z = keras.Input(shape=(latent_dim,), name="z")
    h = layers.Dense(height // scale * width // scale * filters[0], activation="relu")(z)
    h = layers.Reshape((height // scale, width // scale, filters[0]))(h)
    for f in filters:
        if kind == "upsample":
            h = layers.Conv2DTranspose(f, 3, activation="relu", padding="same")(h)
            h = layers.UpSampling2D(2)(h)
        else:
            h = layers.Conv2DTranspose(f, 3, strides=2, activation="relu", padding="same")(h)

    def head(h, act, head_name):
        return layers.Conv2DTranspose(channels, 3, activation=act, padding="same",
                                      name=head_name)(h)

    return keras.Model(z, _output_heads(h, likelihood, mean_activation, head), name=name)


# ---------------------------------------------------------------- Kingma & Welling

def frey_mlp(latent_dim=2, hidden=200, input_shape=(28, 20, 1)):
    """Kingma & Welling (2013)'s Frey-face model: (encoder, decoder).

    Both are MLPs with one tanh hidden layer; the decoder is Gaussian with a sigmoid
    mean and a learned per-pixel log-variance (likelihood "gaussian_learned").
    """
    encoder = dense_encoder(input_shape, latent_dim, hidden=(hidden,), activation="tanh")
    decoder = dense_decoder(latent_dim, input_shape, hidden=(hidden,), activation="tanh",
                            likelihood="gaussian_learned")
    return encoder, decoder


# ---------------------------------------------------------------- conditional (c concatenated)

def _concat_flat(inputs):
    """Flatten each input past the batch axis and concatenate -> (batch, sum of sizes)."""
    return layers.Concatenate()([layers.Flatten()(t) for t in inputs])


def dense_conditional_encoder(input_shape, condition_dim, latent_dim, hidden=(512,),
                              activation="relu", name="encoder"):
    """[x (batch, *input_shape), c (batch, condition_dim)] -> [z_mean, z_log_var].

    Flattens x, appends c and applies :func:`dense_encoder`'s MLP to the result.
    """
    checks.positive_int("condition_dim", condition_dim)
    x = keras.Input(shape=checks.shape("input_shape", input_shape), name="x")
    c = keras.Input(shape=(condition_dim,), name="c")
    size = _concat_flat([x, c]).shape[-1]
    mlp = dense_encoder((size,), latent_dim, hidden, activation, name=f"{name}_mlp")
    return keras.Model([x, c], mlp(_concat_flat([x, c])), name=name)


def dense_conditional_decoder(latent_dim, condition_dim, output_shape, hidden=(512,),
                              activation="relu", likelihood="bernoulli",
                              mean_activation="sigmoid", name="decoder"):
    """[z (batch, latent_dim), c (batch, condition_dim)] -> output(s) (batch, *output_shape).

    Applies :func:`dense_decoder` to the concatenation [z, c]; the outputs are what
    ``likelihood`` needs (see :mod:`vae.losses`).
    """
    checks.positive_int("latent_dim", latent_dim)
    checks.positive_int("condition_dim", condition_dim)
    z = keras.Input(shape=(latent_dim,), name="z")
    c = keras.Input(shape=(condition_dim,), name="c")
    mlp = dense_decoder(latent_dim + condition_dim, output_shape, hidden, activation,
                        likelihood, mean_activation, name=f"{name}_mlp")
    return keras.Model([z, c], mlp(_concat_flat([z, c])), name=name)


# ---------------------------------------------------------------- classifier (M2's q(y | x))

def dense_classifier(input_shape, n_classes, hidden=(512,), activation="relu",
                     name="classifier"):
    """MLP x (batch, *input_shape) -> class logits (batch, n_classes)."""
    checks.positive_int("n_classes", n_classes)
    x = keras.Input(shape=checks.shape("input_shape", input_shape), name="x")
    h = layers.Flatten()(x)
    for units in checks.positive_ints("hidden", hidden):
        h = layers.Dense(units, activation=activation)(h)
    return keras.Model(x, layers.Dense(n_classes, name="logits")(h), name=name)
