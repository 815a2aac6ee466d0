"""Checkers for notebook 06 (conditional VAEs): a 1-NN two-sample test, the V-statistic."""

import numpy as np
from scipy.spatial.distance import cdist

from vae.exercises import call, compare, correct, exercise, wrong

_RNG = np.random.default_rng(6)
_A, _B = _RNG.normal(size=(12, 5)), _RNG.normal(0.5, 1.0, size=(15, 5))


def _one_nn(a, b):
    pooled, label = np.concatenate([a, b]), np.r_[np.zeros(len(a)), np.ones(len(b))]
    d = cdist(pooled, pooled)
    np.fill_diagonal(d, np.inf)
    return (label[d.argmin(axis=1)] == label).mean()


def _biased(a, b):
    return 2 * cdist(a, b).mean() - cdist(a, a).mean() - cdist(b, b).mean()


def _unbiased(a, b):
    within = [cdist(s, s).sum() / (len(s) * (len(s) - 1)) for s in (a, b)]
    return 2 * cdist(a, b).mean() - within[0] - within[1]


@exercise("06.1", needs=["one_nn_two_sample_accuracy"])
def check_one_nn(one_nn_two_sample_accuracy):
    """Two samples that overlap (accuracy between 0 and 1) and two that do not (accuracy 1)."""
    name = "one_nn_two_sample_accuracy(a, b)"
    for a, b in ((_A, _B), (_A, _B + 10.0), (_B, _A[:5])):
        result, failed = call(one_nn_two_sample_accuracy, a, b, name=name)
        if failed:
            return failed
        reference = _one_nn(a, b)
        if np.ndim(result) == 0 and float(result) == 1.0 and reference < 1.0:
            return wrong(f"{name} is 1 on overlapping samples: is each row its own nearest "
                         "neighbour? Leave it out (set the diagonal of the distances to inf)")
        feedback = compare(result, reference, name)
        if feedback.status != "correct":
            return feedback
    return correct()


@exercise("06.2", needs=["energy_distance_biased"])
def check_energy_distance_biased(energy_distance_biased):
    """The V-statistic (zero diagonal included) on two small samples."""
    name = "energy_distance_biased(a, b)"
    result, failed = call(energy_distance_biased, _A, _B, name=name)
    if failed:
        return failed
    if np.ndim(result) == 0 and np.isclose(float(result), _unbiased(_A, _B)):
        return wrong(f"{name} is the unbiased estimator; the V-statistic averages over all n^2 "
                     "pairs, the zero diagonal included")
    return compare(result, _biased(_A, _B), name)


WRONG_ANSWERS = {
    "06.1": [
        ({"one_nn_two_sample_accuracy": lambda a, b: 1.0}, "its own nearest neighbour"),
        ({"one_nn_two_sample_accuracy": lambda a, b: 100 * _one_nn(a, b)}, "factor 100"),
    ],
    "06.2": [
        ({"energy_distance_biased": _unbiased}, "zero diagonal included"),
        ({"energy_distance_biased": lambda a, b: _biased(a, b) / 2}, "factor"),
    ],
}
