"""Checkers for notebook 09 (evaluating VAEs): the stable log-mean-exp, the spread of the
importance-weighted estimate, and the ELBO gap of a worse PPCA encoder."""

import math

import numpy as np
from scipy.special import logsumexp

from vae.exercises import compare, correct, exercise, log_weight_cases, wrong

PPCA_SHIFT = 0.3
"""The exercise's q(z | x): the exact PPCA posterior, its mean shifted by 0.3, its std times 4."""


def _reference_log_mean_exp(log_w):
    log_w = np.asarray(log_w, dtype="float64")
    return logsumexp(log_w, axis=1) - math.log(log_w.shape[1])


_LOG_W = np.random.default_rng(0).normal(-1000.0, 3.0, size=(4, 6))   # exp() gives 0.0 here


@exercise("09.1", needs=["log_mean_exp"])
def check_log_mean_exp(log_mean_exp):
    tiny = np.array([[0.0, math.log(3.0)], [1.0, 1.0]])    # bounds log 2 and 1
    return log_weight_cases(log_mean_exp, "log_mean_exp", [
        (tiny, _reference_log_mean_exp(tiny), "small log weights"),
        (_LOG_W, _reference_log_mean_exp(_LOG_W), "log weights near -1000")])


def _reference_spread(log_w, ks=(1, 10, 40), images=20, blocks=5):
    log_w = np.asarray(log_w, dtype="float64")[:images]
    return {k: float(np.std([_reference_log_mean_exp(part).mean() for part in
                             np.split(log_w[:, :blocks * k], blocks, axis=1)])) for k in ks}


@exercise("09.2", needs=["spread", "log_w"])
def check_spread(spread, log_w):
    if not isinstance(spread, dict) or sorted(spread) != [1, 10, 40]:
        keys = sorted(spread) if isinstance(spread, dict) else type(spread).__name__
        return wrong(f"`spread` should be a dict with keys 1, 10 and 40, got {keys}")
    reference = _reference_spread(log_w)
    for k in (1, 10, 40):
        answer, expected = float(np.asarray(spread[k])), reference[k]
        if np.isclose(answer, expected ** 2, rtol=1e-4):
            return wrong(f"spread[{k}] is the variance; take the standard deviation")
        if np.isclose(answer, expected * math.sqrt(5 / 4), rtol=1e-4):
            return wrong(f"spread[{k}] uses ddof=1; use NumPy's default standard deviation")
        feedback = compare(answer, expected, f"spread[{k}]", rtol=1e-4)
        if feedback.status != "correct":
            return feedback
    return correct(f"the spread falls from {reference[1]:.2f} (k = 1) to "
                   f"{reference[40]:.2f} nats (k = 40)")


GAP_TOLERANCE = 0.25
"""Nats: about five standard errors of the Monte-Carlo ELBO gap (50 examples, k = 1000; each
log weight of the 4x-wide q has a standard deviation near 11 nats)."""


def _ppca_gap(post_var, std_factor):
    """KL(q || exact posterior) for q = N(mean + PPCA_SHIFT, (std_factor * std)^2): a float."""
    return (-math.log(std_factor) + std_factor ** 2 / 2 + PPCA_SHIFT ** 2 / (2 * post_var)
            - 0.5)


@exercise("09.3", needs=["elbo_worse", "iw_worse", "exact", "post_var"])
def check_worse_encoder(elbo_worse, iw_worse, exact, post_var):
    exact = np.asarray(exact, dtype="float64")
    for name, value in (("elbo_worse", elbo_worse), ("iw_worse", iw_worse)):
        if np.shape(value) != exact.shape:
            return wrong(f"`{name}` has shape {np.shape(value)}; expected one value per "
                         f"example, {exact.shape}")
    gap = float(np.mean(exact - np.asarray(elbo_worse, dtype="float64")))
    expected = _ppca_gap(float(post_var), 4.0)
    if abs(gap - _ppca_gap(float(post_var), 2.0)) < GAP_TOLERANCE:
        return wrong(f"the ELBO gap {gap:.3f} is the one of the 2x std encoder; multiply the "
                     "posterior's standard deviation by 4")
    if abs(gap - expected) > GAP_TOLERANCE:
        return wrong(f"the ELBO gap log p(x) - ELBO is {gap:.3f} nats; KL(q || posterior) of "
                     f"the 4x std encoder is {expected:.3f}")
    shortfall = float(np.mean(exact - np.asarray(iw_worse, dtype="float64")))
    if abs(shortfall) > 0.1:
        return wrong(f"the IW bound is {shortfall:.3f} nats from log p(x); with k = 1000 "
                     "it should be within 0.1")
    return correct(f"the gap grew to {gap:.3f} nats, the KL divergence, and the IW bound is "
                   f"{abs(shortfall):.3f} from log p(x)")


_LOG_W_MNIST = np.random.default_rng(1).normal(-100.0, 3.0, size=(20, 200))
_SPREAD = _reference_spread(_LOG_W_MNIST)
_POST_VAR = 0.25 / 7.75
_EXACT = np.full(50, -6.0)

def _naive_log_mean_exp(log_w):
    """The formula as written: exp underflows to 0 and the log of 0 is -inf (no warning)."""
    with np.errstate(divide="ignore"):
        return np.log(np.mean(np.exp(log_w), axis=1))


WRONG_ANSWERS = {
    "09.1": [
        ({"log_mean_exp": _naive_log_mean_exp}, "underflows"),
        ({"log_mean_exp": lambda lw: logsumexp(lw, axis=1)}, "off by a constant"),
        ({"log_mean_exp": lambda lw: np.mean(lw, axis=1)}, "differs"),
    ],
    "09.2": [
        ({"spread": {k: v ** 2 for k, v in _SPREAD.items()},
          "log_w": _LOG_W_MNIST}, "variance"),
        ({"spread": {k: v * math.sqrt(5 / 4) for k, v in _SPREAD.items()},
          "log_w": _LOG_W_MNIST}, "ddof=1"),
        ({"spread": [0.1, 0.2], "log_w": _LOG_W}, "keys 1, 10 and 40"),
    ],
    "09.3": [
        ({"elbo_worse": _EXACT - _ppca_gap(_POST_VAR, 2.0), "iw_worse": _EXACT,
          "exact": _EXACT, "post_var": _POST_VAR}, "2x std"),
        ({"elbo_worse": _EXACT - 1.0, "iw_worse": _EXACT, "exact": _EXACT,
          "post_var": _POST_VAR}, "KL(q || posterior)"),
        ({"elbo_worse": _EXACT - _ppca_gap(_POST_VAR, 4.0), "iw_worse": _EXACT - 1.0,
          "exact": _EXACT, "post_var": _POST_VAR}, "within 0.1"),
        ({"elbo_worse": _EXACT[:10], "iw_worse": _EXACT, "exact": _EXACT,
          "post_var": _POST_VAR}, "shape"),
    ],
}
