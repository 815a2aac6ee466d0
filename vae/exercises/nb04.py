"""Checkers for notebook 04 (latent walks): a slerp tour, prior mass per cell, midpoints."""

import numpy as np
from scipy.stats import norm

from vae import latent
from vae.exercises import call, compare, exercise, wrong


def _legs(path, digit_means):
    means = np.asarray(digit_means, dtype="float64")
    return np.stack([path(means[a], means[a + 1], 5) for a in range(9)])


@exercise("04.1", needs=["tour_codes", "digit_means"])
def check_tour(tour_codes, digit_means):
    """tour_codes (9, 5, latent_dim): slerp legs between consecutive digit averages."""
    reference = _legs(latent.slerp, digit_means)
    feedback = compare(tour_codes, reference, "tour_codes", rtol=1e-4, atol=1e-6)
    if feedback.status != "correct" and np.shape(tour_codes) == reference.shape and np.allclose(
            tour_codes, _legs(latent.lerp, digit_means), rtol=1e-4, atol=1e-6):
        return wrong("tour_codes follows straight lines (lerp); the exercise asks for slerp")
    return feedback


def _fractions(z_2d):
    cells = np.minimum((norm.cdf(np.asarray(z_2d, dtype="float64")) * 5).astype(int), 4)
    counts = np.zeros((5, 5))
    np.add.at(counts, (4 - cells[:, 1], cells[:, 0]), 1)
    return counts / counts.sum()


@exercise("04.2", needs=["fractions", "z_2d"])
def check_fractions(fractions, z_2d):
    """fractions (5, 5) of the codes z_2d per cell of (Phi(z_1), Phi(z_2)), row 0 at the top."""
    reference = _fractions(z_2d)
    answer = np.asarray(fractions, dtype="float64")
    if answer.shape == (5, 5) and not np.allclose(answer, reference):
        if np.allclose(answer, reference[::-1]):
            return wrong("fractions is upside down: row 0 holds the HIGHEST fifth of Phi(z_2), "
                         "as at the top of the picture")
        if np.allclose(answer, reference * len(z_2d)):
            return wrong("fractions holds counts; divide by the number of codes")
    return compare(answer, reference, "fractions")


def _midpoints(z0, z1):
    return (z0 + z1) / 2, latent.slerp(z0, z1, 3)[1]


@exercise("04.3", needs=["midpoints"])
def check_midpoints(midpoints):
    """midpoints(z0, z1) -> (linear, spherical) on three pairs of codes of unequal norms."""
    rng = np.random.default_rng(4)
    for scale in (1.0, 2.0, 0.5):
        z0, z1 = rng.normal(size=8), scale * rng.normal(size=8)
        result, failed = call(midpoints, z0, z1, name="midpoints(z0, z1)")
        if failed:
            return failed
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return wrong("midpoints(z0, z1) should return two codes: (linear, spherical)")
        reference = _midpoints(z0, z1)
        if np.allclose(result[1], reference[0]) and not np.allclose(result[1], reference[1]):
            return wrong("the spherical midpoint of midpoints(z0, z1) is the linear one: take "
                         "the middle point of slerp(z0, z1, 3)")
        for name, answer, ref in zip(("linear", "spherical"), result, reference):
            feedback = compare(answer, ref, f"the {name} midpoint of midpoints(z0, z1)")
            if feedback.status != "correct":
                return feedback
    return feedback


_MEANS = np.random.default_rng(5).normal(size=(10, 6))
_Z2 = np.random.default_rng(6).normal(size=(300, 2))

WRONG_ANSWERS = {
    "04.1": [
        ({"tour_codes": _legs(latent.lerp, _MEANS), "digit_means": _MEANS}, "lerp"),
        ({"tour_codes": _legs(latent.slerp, _MEANS)[:, :, :3], "digit_means": _MEANS}, "shape"),
    ],
    "04.2": [
        ({"fractions": _fractions(_Z2)[::-1], "z_2d": _Z2}, "upside down"),
        ({"fractions": _fractions(_Z2) * 300, "z_2d": _Z2}, "counts"),
        ({"fractions": _fractions(_Z2).T, "z_2d": _Z2}, "differs from the reference"),
    ],
    "04.3": [
        ({"midpoints": lambda z0, z1: ((z0 + z1) / 2, (z0 + z1) / 2)}, "is the linear one"),
        ({"midpoints": lambda z0, z1: (z0 + z1, latent.slerp(z0, z1, 3)[1])}, "factor 2"),
        ({"midpoints": lambda z0, z1: (z0 + z1) / 2}, "should return two codes"),
    ],
}
