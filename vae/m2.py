"""Kingma et al. (2014)'s semi-supervised VAE "M2".

Three networks: a classifier q(y | x), an encoder q(z | x, y) and a decoder p(x | y, z)
(the conditional encoder/decoder of :mod:`vae.conditional`, with c = one-hot y). With a
uniform prior p(y) = 1/K and p(z) = N(0, I), per example (nats):

- labelled:    L(x, y) = reconstruction NLL + beta * KL(q(z|x,y) || p(z)) + log K
- unlabelled:  U(x)    = sum_y q(y|x) L(x, y) - H(q(y|x))
- classifier:  CE(x, y) = -log q(y | x) on the labelled examples.

loss = lambda_l * mean_labelled L + mean_unlabelled U + alpha * mean_labelled CE
(Kingma's alpha; the Generative Models slides call it beta). Kingma et al. sum L over the
n_l labelled and U over the n_u unlabelled examples of the data set; per batch that is
lambda_l = n_l / n_u (``labelled_weight``). The default lambda_l = 1 gives the 100 labelled
images as much weight as all the unlabelled ones, which lets the decoder memorise them.

Kingma et al. add alpha * (mean labelled CE) to that *sum* with alpha = 0.1 * N, N = n_l + n_u
training examples. Divided by n_u, as the loss above is, their choice becomes
alpha = 0.1 * N / n_u, about 0.1 whenever most examples are unlabelled (0.1002 for 100 labelled
MNIST digits and 59,900 unlabelled ones): the default ``alpha=0.1``.

Data format: every batch is a dict with a labelled part and an unlabelled part,
``{"x_labelled": (n_l, *shape), "y_labelled": (n_l, K) one-hot, "x_unlabelled": (n_u, *shape)}``;
:class:`MixedBatches` makes such a stream for ``fit``.
"""

import math

import keras
import numpy as np
from keras import ops

from vae import checks, losses
from vae.conditional import ConditionalVAE
from vae.models import in_batches


class MixedBatches(keras.utils.PyDataset):
    """Endless-epoch stream of M2 batches: labelled examples resampled, unlabelled shuffled.

    x_labelled (n_l, *shape), y_labelled (n_l,) integer labels, x_unlabelled (n_u, *shape).
    Each batch holds ``labelled_batch`` labelled examples (drawn with replacement, since
    there are few) and ``unlabelled_batch`` unlabelled ones; one epoch covers the
    unlabelled set once. Items are the dicts described in the module docstring.
    """

    def __init__(self, x_labelled, y_labelled, x_unlabelled, n_classes=10,
                 labelled_batch=32, unlabelled_batch=128, seed=0, **kwargs):
        super().__init__(**kwargs)
        y_labelled = np.asarray(y_labelled)
        if y_labelled.ndim != 1 or len(y_labelled) != len(x_labelled):
            raise ValueError(f"y_labelled: expected ({len(x_labelled)},) integer labels, "
                             f"got shape {y_labelled.shape}")
        self.x_l = np.asarray(x_labelled, dtype="float32")
        self.y_l = np.eye(n_classes, dtype="float32")[y_labelled]
        self.x_u = np.asarray(x_unlabelled, dtype="float32")
        self.n_l, self.n_u = labelled_batch, unlabelled_batch
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(self.x_u))

    def __len__(self):
        return len(self.x_u) // self.n_u

    def __getitem__(self, i):
        lab = self.rng.integers(0, len(self.x_l), self.n_l)
        unl = self.order[i * self.n_u:(i + 1) * self.n_u]
        return ({"x_labelled": self.x_l[lab], "y_labelled": self.y_l[lab],
                 "x_unlabelled": self.x_u[unl]},)

    def on_epoch_end(self):
        self.order = self.rng.permutation(len(self.x_u))


@keras.saving.register_keras_serializable(package="vae")
class M2(ConditionalVAE):
    """Semi-supervised VAE: a :class:`ConditionalVAE` on (x, y) plus a classifier q(y|x).

    encoder: [x, y] -> [z_mean, z_log_var]; decoder: [z, y] -> output(s); classifier:
    x -> logits (batch, K). alpha weighs the classification loss. fit/evaluate report
    loss, labelled (mean L), unlabelled (mean U), cross_entropy, and the expected
    reconstruction and kl over both parts.
    """

    NETWORKS = ("encoder", "decoder", "classifier")

    def __init__(self, encoder, decoder, classifier, likelihood="bernoulli", alpha=0.1,
                 beta=1.0, sigma=None, labelled_weight=1.0, seed=None, **kwargs):
        super().__init__(encoder, decoder, likelihood=likelihood, beta=beta, sigma=sigma,
                         seed=seed, **kwargs)
        if classifier.outputs[0].shape[-1] != self.condition_dim:
            raise ValueError(f"classifier gives {classifier.outputs[0].shape[-1]} logits; "
                             f"the decoder's condition has {self.condition_dim} classes")
        self.classifier, self.alpha = classifier, checks.non_negative("alpha", alpha)
        self.labelled_weight = checks.non_negative("labelled_weight", labelled_weight)
        self.labelled_tracker = keras.metrics.Mean(name="labelled")
        self.unlabelled_tracker = keras.metrics.Mean(name="unlabelled")
        self.cross_entropy_tracker = keras.metrics.Mean(name="cross_entropy")

    def call(self, inputs, training=False):
        """Encode/decode the labelled rows with their y and every unlabelled row with all K y.

        Returns the ConditionalVAE's dict for the stacked rows [labelled (n_l); unlabelled
        repeated K times (n_u * K, row i * K + k has label k)], plus ``logits_labelled``
        (n_l, K) and ``logits_unlabelled`` (n_u, K).
        """
        x_l, y_l, x_u = inputs["x_labelled"], inputs["y_labelled"], inputs["x_unlabelled"]
        k = self.condition_dim
        y_u = ops.tile(ops.eye(k, dtype=y_l.dtype), (ops.shape(x_u)[0], 1))
        x = ops.concatenate([x_l, ops.repeat(x_u, k, axis=0)], axis=0)
        y = ops.concatenate([y_l, y_u], axis=0)
        return {**super().call([x, y], training=training),
                "logits_labelled": self.classifier(x_l, training=training),
                "logits_unlabelled": self.classifier(x_u, training=training)}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if y is not None or sample_weight is not None:
            raise ValueError("y, sample_weight: M2 takes its labels inside x (expected None)")
        x = keras.tree.map_structure(ops.convert_to_tensor, x)     # NumPy batches too
        n_l, k = ops.shape(x["x_labelled"])[0], self.condition_dim
        target = ops.concatenate([x["x_labelled"], ops.repeat(x["x_unlabelled"], k, axis=0)], 0)
        rec = losses.reconstruction_nll(self.likelihood, target, y_pred["decoded"], self.sigma)
        kl = losses.kl_standard_normal(y_pred["z_mean"], y_pred["z_log_var"])
        neg_elbo = rec + self.beta * kl + math.log(k)              # L(x, y) per row
        log_q_l = ops.log_softmax(y_pred["logits_labelled"], axis=-1)
        log_q_u = ops.log_softmax(y_pred["logits_unlabelled"], axis=-1)
        q_u = ops.exp(log_q_u)
        unlabelled = ops.sum(q_u * (ops.reshape(neg_elbo[n_l:], (-1, k)) + log_q_u), axis=-1)
        cross_entropy = -ops.sum(x["y_labelled"] * log_q_l, axis=-1)
        self._track(rec, kl, neg_elbo[:n_l], unlabelled, cross_entropy, q_u)
        return (self.labelled_weight * ops.mean(neg_elbo[:n_l]) + ops.mean(unlabelled)
                + self.alpha * ops.mean(cross_entropy) + sum(self.losses))

    def _track(self, rec, kl, labelled, unlabelled, cross_entropy, q_u):
        """Update the metrics; reconstruction and kl are q(y|x)-weighted for unlabelled rows."""
        n_l = ops.shape(labelled)[0]
        for tracker, t in ((self.reconstruction_tracker, rec), (self.kl_tracker, kl)):
            expected_u = ops.sum(q_u * ops.reshape(t[n_l:], ops.shape(q_u)), axis=-1)
            tracker.update_state(ops.concatenate([t[:n_l], expected_u]))
        self.labelled_tracker.update_state(labelled)
        self.unlabelled_tracker.update_state(unlabelled)
        self.cross_entropy_tracker.update_state(cross_entropy)

    def classify(self, x, batch_size=1024):
        """Class probabilities q(y | x) (n, K) of x (n, *shape), as NumPy."""
        return in_batches(lambda b: ops.softmax(self.classifier(b), axis=-1), x, batch_size)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha,
                "labelled_weight": self.labelled_weight}
