"""Checkers for notebook 10 (making VAEs better): active units, IWAE weights, free bits."""

import numpy as np
from scipy import special

from vae import collapse, losses
from vae.exercises import call, compare, exercise

_RNG = np.random.default_rng(10)
_Z_MEAN = _RNG.normal(size=(200, 6)) * np.array([1.0, 0.5, 0.2, 0.05, 0.01, 0.0])
_LOG_W = _RNG.normal(scale=4.0, size=(5, 8)) - 90.0
_KL = _RNG.exponential(scale=[0.02, 0.1, 0.5, 2.0], size=(16, 4))


@exercise("10.1", needs=["activity_by_hand"])
def check_activity(activity_by_hand):
    """activity_by_hand(z_mean (n, m)) -> (m,): the variance over examples of each mean."""
    result, failed = call(activity_by_hand, _Z_MEAN, name="activity_by_hand(z_mean)")
    return failed or compare(result, collapse.activity(_Z_MEAN), "activity_by_hand(z_mean)")


@exercise("10.2", needs=["normalized_weights"])
def check_normalized_weights(normalized_weights):
    """normalized_weights(log_w (n, k)) -> (n, k): w_i / sum_j w_j for each example."""
    result, failed = call(normalized_weights, _LOG_W, name="normalized_weights(log_w)")
    return failed or compare(result, special.softmax(_LOG_W, axis=1),
                             "normalized_weights(log_w)")


@exercise("10.3", needs=["free_bits_by_hand"])
def check_free_bits(free_bits_by_hand):
    """free_bits_by_hand(kl (batch, m), lam) -> (batch,), like vae.losses.free_bits."""
    result, failed = call(free_bits_by_hand, _KL, 0.3, name="free_bits_by_hand(kl, 0.3)")
    reference = np.asarray(losses.free_bits(_KL.astype("float32"), 0.3))
    return failed or compare(result, reference, "free_bits_by_hand(kl, 0.3)", rtol=1e-4)


WRONG_ANSWERS = {
    "10.1": [({"activity_by_hand": lambda z: z.var(axis=1)}, "has shape"),
             ({"activity_by_hand": lambda z: z.var(axis=0, ddof=1)}, "off by a factor"),
             ({"activity_by_hand": lambda z: z.std(axis=0)}, "differs from the reference")],
    "10.2": [({"normalized_weights": lambda lw: np.exp(lw) / np.exp(lw).sum(0)},
              "differs from the reference"),
             ({"normalized_weights": lambda lw: np.exp(lw)}, "differs from the reference"),
             ({"normalized_weights": lambda lw: lw / lw.sum(1, keepdims=True)},
              "differs from the reference")],
    "10.3": [({"free_bits_by_hand": lambda kl, lam: np.maximum(lam, kl).sum(1)},
              "differs from the reference"),
             ({"free_bits_by_hand": lambda kl, lam: kl.sum(1)}, "differs from the reference")],
}
