"""The Sampling layer: moments, seeding, serialization, and reparameterized gradients."""

import keras
import numpy as np
import pytest
from keras import ops

from vae.layers import RandomMask, Sampling, masked_input, reparameterize


def test_sampling_has_the_requested_mean_and_variance():
    mean = np.tile(np.array([[1.0, -2.0, 0.5]], "float32"), (100_000, 1))
    log_var = np.tile(np.log(np.array([[0.25, 4.0, 1.0]], "float32")), (100_000, 1))
    z = ops.convert_to_numpy(Sampling(seed=0)([mean, log_var]))
    np.testing.assert_allclose(z.mean(0), [1.0, -2.0, 0.5], atol=0.02)
    np.testing.assert_allclose(z.var(0), [0.25, 4.0, 1.0], rtol=0.02)


def test_sampling_is_reproducible_with_a_seed_and_random_across_calls():
    mean, log_var = np.zeros((4, 3), "float32"), np.zeros((4, 3), "float32")
    a, b = Sampling(seed=7), Sampling(seed=7)
    first_a, first_b = (ops.convert_to_numpy(s([mean, log_var])) for s in (a, b))
    np.testing.assert_array_equal(first_a, first_b)
    assert not np.allclose(first_a, ops.convert_to_numpy(a([mean, log_var])))


def test_sampling_round_trips_through_its_config():
    layer = Sampling(seed=3, name="s")
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(clone, Sampling) and clone.seed == 3 and clone.name == "s"


class ScalarOfASample(keras.Model):
    """sum(sin(z)) of one reparameterized sample z = reparameterize(m, lv, eps), as a model
    whose weights are m and lv (each (2, 3)): training it differentiates through the layer
    with the backend's own autodiff, through Keras (no backend-specific gradient API)."""

    def __init__(self, mean, log_var, eps):
        super().__init__()
        self.m = self.add_weight(shape=mean.shape, initializer=keras.initializers.Constant(mean))
        self.lv = self.add_weight(shape=log_var.shape,
                                  initializer=keras.initializers.Constant(log_var))
        self.eps = eps

    def call(self, x):
        return ops.sum(ops.sin(reparameterize(self.m, self.lv, self.eps))) + 0.0 * ops.sum(x)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return y_pred


def test_reparameterized_gradients_match_finite_differences_and_closed_form():
    rng = np.random.default_rng(1)
    mean = rng.normal(size=(2, 3))
    log_var = rng.normal(size=(2, 3))
    eps = rng.normal(size=(2, 3))

    def f(m, lv):  # the same scalar of the sample, in float64 NumPy
        return np.sum(np.sin(m + np.exp(0.5 * lv) * eps))

    # one SGD step with learning rate 1 moves each weight by minus its gradient
    model = ScalarOfASample(mean, log_var, eps.astype("float32"))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0))
    model.train_on_batch(np.zeros((1, 1), "float32"))
    grad_m = mean - ops.convert_to_numpy(model.m)
    grad_lv = log_var - ops.convert_to_numpy(model.lv)

    h = 1e-6
    fd_m, fd_lv = np.zeros_like(mean), np.zeros_like(log_var)
    for idx in np.ndindex(mean.shape):
        step = np.zeros_like(mean)
        step[idx] = h
        fd_m[idx] = (f(mean + step, log_var) - f(mean - step, log_var)) / (2 * h)
        fd_lv[idx] = (f(mean, log_var + step) - f(mean, log_var - step)) / (2 * h)
    z = mean + np.exp(0.5 * log_var) * eps                # d/dm = cos z, d/dlv = cos z * dz/dlv
    np.testing.assert_allclose(fd_m, np.cos(z), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(fd_lv, np.cos(z) * 0.5 * np.exp(0.5 * log_var) * eps,
                               rtol=1e-6, atol=1e-8)
    # float32 weights on the backend: agreement to float32 rounding of the step
    np.testing.assert_allclose(grad_m, fd_m, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(grad_lv, fd_lv, rtol=1e-4, atol=1e-5)
    assert np.abs(grad_lv).sum() > 0.1  # the variance really receives a gradient


def _missing_is_one_rectangle(missing):
    """True if the missing pixels of one (h, w) mask fill their bounding box exactly."""
    rows, cols = np.flatnonzero(missing.any(1)), np.flatnonzero(missing.any(0))
    return missing[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].all()


def test_random_mask_mixes_scattered_pixels_and_rectangles_reaching_the_border():
    images = np.zeros((2000, 28, 28, 1), "float32")
    observed = ops.convert_to_numpy(RandomMask(max_rate=0.9, seed=0)(images))
    assert observed.shape == images.shape and observed.dtype == bool
    missing = ~observed[..., 0]
    some = missing.reshape(2000, -1).any(1)
    rectangle = np.array([m.any() and _missing_is_one_rectangle(m) for m in missing])
    scattered = some & ~rectangle
    assert 0.35 < rectangle.mean() < 0.55 and 0.35 < scattered.mean() < 0.6
    rates = missing.reshape(2000, -1).mean(1)
    assert rates[scattered].max() > 0.8 and rates[scattered].min() < 0.1
    border = missing[:, [0, -1], :].any((1, 2)) | missing[:, :, [0, -1]].any((1, 2))
    assert border[rectangle].mean() > 0.5                # strips and halves are common


def test_with_spill_an_exact_half_image_is_hidden_now_and_then():
    # 8x8 images, spill 0.5: one rectangle is exactly the bottom half with probability
    # 2 * 1/16 * 1/4 (its rows from 4 to past the border) * 2 * 5/16 * 1/4 (its columns past
    # both borders) = 5/1024, about 24 of 5000 images; none at all: probability ~ 4e-11
    images = np.zeros((5000, 8, 8, 1), "float32")
    missing = ~ops.convert_to_numpy(RandomMask(block_rate=1.0, spill=0.5, seed=4)(images))[..., 0]
    halves = missing[:, 4:, :].all((1, 2)) & ~missing[:, :4, :].any((1, 2))
    assert 5 <= halves.sum() <= 50, halves.sum()


def test_block_rate_one_hides_one_rectangle_in_every_image():
    images = np.zeros((300, 12, 12, 1), "float32")
    missing = ~ops.convert_to_numpy(RandomMask(block_rate=1.0, spill=0.5, seed=2)(images))[..., 0]
    assert all(_missing_is_one_rectangle(m) for m in missing if m.any())
    reaches_border = missing[:, [0, -1], :].any((1, 2)) | missing[:, :, [0, -1]].any((1, 2))
    assert reaches_border[missing.any((1, 2))].mean() > 0.8      # spill 0.5: mostly at the border


def test_random_mask_is_seeded_and_checks_its_arguments():
    images = np.zeros((4, 8, 8, 1), "float32")
    a, b = RandomMask(seed=5), RandomMask(seed=5)
    np.testing.assert_array_equal(ops.convert_to_numpy(a(images)), ops.convert_to_numpy(b(images)))
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(a))
    assert isinstance(clone, RandomMask) and clone.seed == 5 and clone.max_rate == 0.9
    with pytest.raises(ValueError, match="max_rate"):
        RandomMask(max_rate=1.5)
    with pytest.raises(ValueError, match="block_rate"):
        RandomMask(block_rate=-0.1)
    with pytest.raises(ValueError, match="spill"):
        RandomMask(spill=-1)
    with pytest.raises(ValueError, match="images"):
        a(np.zeros((4, 64), "float32"))


def test_masked_input_zeroes_missing_values_even_nan_and_appends_the_mask():
    x = np.array([[[[0.5], [np.nan]]]], "float32")             # (1, 1, 2, 1)
    observed = np.array([[[[True], [False]]]])
    out = ops.convert_to_numpy(masked_input(x, observed))
    np.testing.assert_array_equal(out, [[[[0.5, 1.0], [0.0, 0.0]]]])
