"""The NumPy transposed convolution against Keras' Conv2DTranspose."""

import keras
import numpy as np
import pytest

from vae.convolution import conv_transpose_2d


@pytest.mark.parametrize("strides", [1, 2, 3])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("kernel_size", [2, 3])
def test_matches_keras_conv2d_transpose(strides, padding, kernel_size):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 4, 5, 2)).astype("float32")
    layer = keras.layers.Conv2DTranspose(3, kernel_size, strides=strides, padding=padding,
                                         use_bias=False)
    expected = keras.ops.convert_to_numpy(layer(x))[0]
    (kernel,) = layer.get_weights()
    np.testing.assert_allclose(conv_transpose_2d(x[0], kernel, strides, padding), expected,
                               atol=1e-5)


def test_is_the_adjoint_of_a_convolution():
    """<conv(u), v> = <u, conv_transpose(v)> for a 'valid' stride-2 convolution."""
    rng = np.random.default_rng(1)
    kernel = rng.normal(size=(3, 3, 1, 1))
    u, v = rng.normal(size=(7, 7, 1)), rng.normal(size=(3, 3, 1))
    conv_u = np.array([[np.sum(u[2 * i:2 * i + 3, 2 * j:2 * j + 3, 0] * kernel[:, :, 0, 0])
                        for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(np.sum(conv_u * v[..., 0]),
                               np.sum(u * conv_transpose_2d(v, kernel, strides=2)))


@pytest.mark.parametrize("kwargs, name", [
    ({"x": np.zeros((3, 3)), "kernel": np.zeros((3, 3, 1, 1))}, "x, kernel"),
    ({"x": np.zeros((3, 3, 2)), "kernel": np.zeros((3, 3, 1, 1))}, "x, kernel"),
    ({"x": np.zeros((3, 3, 1)), "kernel": np.zeros((3, 3, 1, 1)), "strides": 0}, "strides"),
    ({"x": np.zeros((3, 3, 1)), "kernel": np.zeros((3, 3, 1, 1)), "padding": "full"},
     "padding"),
])
def test_bad_arguments_raise(kwargs, name):
    with pytest.raises(ValueError, match=name):
        conv_transpose_2d(**kwargs)
