"""Builder output shapes, the lecture decoder's layer types, and argument checking."""

import numpy as np
import pytest
from keras import layers

from vae import losses, nets


def _shapes(model):
    outs = model.outputs
    return [tuple(o.shape[1:]) for o in outs]


@pytest.mark.parametrize("shape", [(28, 28, 1), (28, 20, 1)])
@pytest.mark.parametrize("kind", nets.ENCODER_KINDS)
def test_conv_encoder_shapes(shape, kind):
    enc = nets.conv_encoder(shape, 8, kind=kind)
    assert _shapes(enc) == [(8,), (8,)]
    z_mean, z_log_var = enc(np.zeros((2, *shape), "float32"))
    assert z_mean.shape == (2, 8) and z_log_var.shape == (2, 8)
    assert _shapes(nets.conv_encoder(shape, 8, kind=kind, variational=False)) == [(8,)]


@pytest.mark.parametrize("shape", [(28, 28, 1), (28, 20, 1)])
@pytest.mark.parametrize("kind", nets.DECODER_KINDS)
@pytest.mark.parametrize("likelihood", losses.LIKELIHOODS)
def test_conv_decoder_shapes(shape, kind, likelihood):
    dec = nets.conv_decoder(8, shape, kind=kind, likelihood=likelihood)
    n_out = 2 if likelihood in losses.PAIRED else 1
    assert _shapes(dec) == [shape] * n_out


@pytest.mark.parametrize("shape", [(28, 28, 1), (28, 20, 1), (24,)])
def test_dense_builders_shapes(shape):
    assert _shapes(nets.dense_encoder(shape, 2, hidden=(16,))) == [(2,), (2,)]
    assert _shapes(nets.dense_decoder(2, shape, hidden=(16,))) == [shape]


def test_frey_mlp_is_kingmas_model():
    enc, dec = nets.frey_mlp(latent_dim=2, hidden=200)
    assert _shapes(enc) == [(2,), (2,)]
    assert _shapes(dec) == [(28, 20, 1), (28, 20, 1)]
    hidden = [layer for layer in enc.layers
              if isinstance(layer, layers.Dense) and layer.units == 200]
    assert len(hidden) == 1 and hidden[0].activation.__name__ == "tanh"


def test_seed_decoder_layer_types():
    dec = nets.conv_decoder(100, (28, 28, 1), kind="upsample")
    types = [type(layer).__name__ for layer in dec.layers[1:]]
    assert types == ["Dense", "Reshape", "Conv2DTranspose", "UpSampling2D",
                     "Conv2DTranspose", "UpSampling2D", "Conv2DTranspose"]
    assert dec.layers[1].units == 7 * 7 * 32
    transposed = [layer for layer in dec.layers if isinstance(layer, layers.Conv2DTranspose)]
    assert [layer.filters for layer in transposed] == [32, 16, 1]
    assert dec.layers[-1].activation.__name__ == "sigmoid"
    enc = nets.conv_encoder((28, 28, 1), 100)
    assert [type(layer).__name__ for layer in enc.layers[1:5]] == [
        "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D"]


@pytest.mark.parametrize("build, match", [
    (lambda: nets.conv_encoder((28, 28), 2), "input_shape"),
    (lambda: nets.conv_encoder((28, -28, 1), 2), "input_shape"),
    (lambda: nets.conv_encoder((28, 28, 1), 0), "latent_dim"),
    (lambda: nets.conv_encoder((28, 28, 1), 2.5), "latent_dim"),
    (lambda: nets.conv_encoder((28, 28, 1), 2, kind="avg"), "kind"),
    (lambda: nets.conv_encoder((28, 28, 1), 2, filters=()), "filters"),
    (lambda: nets.conv_decoder(2, (28, 28, 1), kind="deconv"), "kind"),
    (lambda: nets.conv_decoder(2, (30, 28, 1)), "output_shape"),
    (lambda: nets.conv_decoder(-1, (28, 28, 1)), "latent_dim"),
    (lambda: nets.conv_decoder(2, (28, 28, 1), likelihood="poisson"), "likelihood"),
    (lambda: nets.dense_encoder("28x28", 2), "input_shape"),
    (lambda: nets.dense_encoder((784,), 2, hidden=(0,)), "hidden"),
    (lambda: nets.dense_decoder(0, (784,)), "latent_dim"),
])
def test_bad_arguments_are_value_errors(build, match):
    with pytest.raises(ValueError, match=match):
        build()
