"""M2 (semi-supervised VAE): the loss against a NumPy hand computation, fit, save/load."""

import keras
import numpy as np
import pytest
from keras import ops
from scipy.special import log_softmax, softmax

from vae import data
from vae.m2 import M2, MixedBatches
from vae.nets import dense_classifier, dense_conditional_decoder, dense_conditional_encoder

K, D, LATENT = 3, 4, 2


def _m2(alpha=0.7, beta=1.0, shape=(D,), k=K, labelled_weight=1.0):
    return M2(dense_conditional_encoder(shape, k, LATENT, hidden=(8,)),
              dense_conditional_decoder(LATENT, k, shape, hidden=(8,)),
              dense_classifier(shape, k, hidden=(8,)), alpha=alpha, beta=beta,
              labelled_weight=labelled_weight, seed=0)


def _batch(rng, n_l=2, n_u=3):
    return {"x_labelled": rng.uniform(size=(n_l, D)).astype("float32"),
            "y_labelled": np.eye(K, dtype="float32")[[0, 2]],
            "x_unlabelled": rng.uniform(size=(n_u, D)).astype("float32")}


def _hand_loss(batch, out, alpha, beta, labelled_weight=1.0):
    """The M2 objective in NumPy from the networks' outputs (module docstring of vae.m2)."""
    x = np.concatenate([batch["x_labelled"], np.repeat(batch["x_unlabelled"], K, axis=0)])
    logits = ops.convert_to_numpy(out["decoded"])
    rec = np.sum(np.logaddexp(0, logits) - x * logits, axis=1)          # Bernoulli NLL
    mu, log_var = ops.convert_to_numpy(out["z_mean"]), ops.convert_to_numpy(out["z_log_var"])
    kl = 0.5 * np.sum(np.exp(log_var) + mu ** 2 - 1 - log_var, axis=1)
    neg_elbo = rec + beta * kl + np.log(K)
    n_l = len(batch["x_labelled"])
    log_q_l = log_softmax(ops.convert_to_numpy(out["logits_labelled"]), axis=1)
    q_u = softmax(ops.convert_to_numpy(out["logits_unlabelled"]), axis=1)
    labelled = neg_elbo[:n_l]
    unlabelled = np.sum(q_u * neg_elbo[n_l:].reshape(-1, K), axis=1) + np.sum(
        q_u * np.log(q_u), axis=1)
    cross_entropy = -np.sum(batch["y_labelled"] * log_q_l, axis=1)
    return labelled_weight * labelled.mean() + unlabelled.mean() + alpha * cross_entropy.mean()


@pytest.mark.parametrize("labelled_weight", [1.0, 0.01])
def test_loss_equals_a_hand_computation(labelled_weight):
    rng = np.random.default_rng(0)
    model, batch = _m2(labelled_weight=labelled_weight), _batch(rng)
    out = model(batch)
    assert out["decoded"].shape == (2 + 3 * K, D) and out["z"].shape == (2 + 3 * K, LATENT)
    assert out["logits_labelled"].shape == (2, K) and out["logits_unlabelled"].shape == (3, K)
    loss = float(ops.convert_to_numpy(model.compute_loss(x=batch, y_pred=out)))
    np.testing.assert_allclose(loss, _hand_loss(batch, out, 0.7, 1.0, labelled_weight),
                               rtol=1e-5)


def test_unlabelled_rows_are_decoded_with_every_label_in_turn():
    rng = np.random.default_rng(1)
    model, batch = _m2(), _batch(rng)
    out = model(batch)
    y = np.concatenate([batch["y_labelled"], np.tile(np.eye(K, dtype="float32"), (3, 1))])
    again = model.decoder([ops.convert_to_numpy(out["z"]), y])
    np.testing.assert_allclose(ops.convert_to_numpy(again), ops.convert_to_numpy(out["decoded"]),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_fit_on_mixed_batches_of_real_mnist_and_save_load(tmp_path):
    (x, y), _ = data.load_mnist()
    x = data.as_images(x[:600])
    stream = MixedBatches(x[:20], y[:20], x[20:], n_classes=10, labelled_batch=10,
                          unlabelled_batch=100, seed=0)
    assert len(stream) == 5
    model = _m2(shape=(28, 28, 1), k=10, labelled_weight=0.1)
    model.compile(optimizer="adam")
    logs = model.fit(stream, epochs=2, verbose=0).history
    assert set(logs) == {"loss", "reconstruction", "kl", "labelled", "unlabelled",
                         "cross_entropy"}
    assert logs["loss"][-1] < logs["loss"][0]
    probs = model.classify(x[:50])
    assert probs.shape == (50, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    model.save(tmp_path / "m2.keras")
    loaded = keras.models.load_model(tmp_path / "m2.keras")
    assert isinstance(loaded, M2) and loaded.alpha == model.alpha
    assert loaded.labelled_weight == 0.1
    np.testing.assert_array_equal(loaded.classify(x[:50]), probs)


def test_bad_arguments_are_value_errors():
    with pytest.raises(ValueError, match="alpha"):
        _m2(alpha=-1.0)
    with pytest.raises(ValueError, match="labelled_weight"):
        _m2(labelled_weight=-0.5)
    with pytest.raises(ValueError, match="classifier"):
        M2(dense_conditional_encoder((D,), K, LATENT, hidden=(8,)),
           dense_conditional_decoder(LATENT, K, (D,), hidden=(8,)),
           dense_classifier((D,), K + 1, hidden=(8,)))
    with pytest.raises(ValueError, match="y_labelled"):
        MixedBatches(np.zeros((4, D)), np.zeros((4, K)), np.zeros((8, D)))
