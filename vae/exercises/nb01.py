"""Checkers for notebook 01 (the autoencoder): the PCA baseline, a Gaussian fitted to codes."""

import numpy as np

from vae.exercises import call, compare, exercise, wrong


def _pca_mse(x_train, x_val, d, largest=True, centred=True):
    """Per-pixel MSE on x_val of PCA with d components fitted on x_train (images or rows).

    largest=False takes the axes of the smallest variance, centred=False forgets the mean:
    the two common mistakes, which the checker recognises.
    """
    train, val = (np.asarray(a, dtype="float64").reshape(len(a), -1) for a in (x_train, x_val))
    mean = train.mean(axis=0) if centred else np.zeros(train.shape[1])
    eigvec = np.linalg.eigh((train - mean).T @ (train - mean))[1]         # ascending variance
    axes = eigvec[:, ::-1][:, :d] if largest else eigvec[:, :d]           # (pixels, d)
    rebuilt = (val - mean) @ axes @ axes.T + mean
    return float(np.mean((val - rebuilt) ** 2))


@exercise("01.1", needs=["pca_mse", "x_train", "x_val"])
def check_pca_mse(pca_mse, x_train, x_val):
    """pca_mse(d) for d = 1, 3, 10 against PCA fitted here on the same data."""
    sizes = (1, 3, 10)
    answers = []
    for d in sizes:
        value, failed = call(pca_mse, d, name=f"pca_mse({d})")
        if failed:
            return failed
        answers.append(value)
    name = "pca_mse(d) for d = 1, 3, 10"
    feedback = compare(answers, [_pca_mse(x_train, x_val, d) for d in sizes], name, rtol=1e-3)
    if feedback.status == "correct":
        return feedback
    try:
        answers = np.asarray(answers, dtype="float64")
    except (TypeError, ValueError):
        return feedback
    mistakes = {"takes the axes of the SMALLEST variance first (np.linalg.eigh sorts "
                "eigenvalues in ascending order)": dict(largest=False),
                "does not centre the images: subtract the training mean before projecting "
                "and add it back after": dict(centred=False)}
    for words, mistake in mistakes.items():
        alternative = [_pca_mse(x_train, x_val, d, **mistake) for d in sizes]
        if answers.shape == (len(sizes),) and np.allclose(answers, alternative, rtol=1e-3):
            return wrong(f"pca_mse(d) {words}")
    if answers.shape == (len(sizes),) and np.allclose(answers, answers[0]):
        return wrong("pca_mse(d) does not change with d: project onto the first d axes only")
    return feedback


_CODES = np.random.default_rng(0).multivariate_normal([1.0, -2.0], [[2.0, 0.6], [0.6, 0.5]], 400)


@exercise("01.2", needs=["fit_gaussian", "hole_fraction"])
def check_gaussian_and_holes(fit_gaussian, hole_fraction):
    """fit_gaussian on correlated 2-D codes (mean, covariance), then hole_fraction of a few
    points whose distances to the codes are known."""
    fitted, failed = call(fit_gaussian, _CODES, name="fit_gaussian(z)")
    if failed:
        return failed
    if not isinstance(fitted, (tuple, list)) or len(fitted) != 2:
        return wrong("fit_gaussian(z) should return two things: (mean (2,), covariance (2, 2))")
    mean, cov = fitted
    feedback = compare(mean, _CODES.mean(axis=0), "the mean from fit_gaussian(z)")
    if feedback.status != "correct":
        return feedback
    cov = np.asarray(cov, dtype="float64")
    if cov.shape == (len(_CODES), len(_CODES)):
        return wrong("the covariance from fit_gaussian(z) is (n, n): np.cov treats rows as "
                     "variables unless rowvar=False")
    if cov.shape == (2,) and np.allclose(cov, _CODES.std(axis=0)):
        return wrong("fit_gaussian(z) returns the standard deviations; a Gaussian for "
                     "multivariate_normal needs the (2, 2) covariance matrix")
    feedback = compare(cov, np.cov(_CODES, rowvar=False), "the covariance from fit_gaussian(z)",
                       rtol=1e-2)
    if feedback.status != "correct":
        return feedback
    codes = np.array([[0.0, 0.0], [1.0, 0.0]])
    draws = np.array([[0.0, 0.5], [0.0, 3.5], [5.0, 0.0], [-2.5, 0.0], [1.0, 0.2]])
    fraction, failed = call(hole_fraction, draws, codes, 1.0,
                            name="hole_fraction(draws, codes, spacing=1)")
    if failed:
        return failed
    feedback = compare(fraction, 0.4, "hole_fraction(draws, codes, spacing=1)")
    if feedback.status != "correct":    # nearest distances 0.5, 3.5, 4, 2.5, 0.2: two beyond 3
        return wrong(f"{feedback.message}: count the draws whose distance to the NEAREST code "
                     "is more than 3 * spacing, as a fraction of all draws")
    return feedback


_LOW_RANK = np.random.default_rng(1).normal(size=(60, 3)) @ np.random.default_rng(2).normal(
    size=(3, 12)) + 0.1 * np.random.default_rng(3).normal(size=(60, 12))


def _pca_smallest_axes(d):
    return _pca_mse(_LOW_RANK[:40], _LOW_RANK[40:], d, largest=False)


def _pca_not_centred(d):
    return _pca_mse(_LOW_RANK[:40], _LOW_RANK[40:], d, centred=False)


_PCA_DATA = {"x_train": _LOW_RANK[:40], "x_val": _LOW_RANK[40:]}

WRONG_ANSWERS = {
    "01.1": [
        ({**_PCA_DATA, "pca_mse": _pca_smallest_axes}, "SMALLEST"),
        ({**_PCA_DATA, "pca_mse": _pca_not_centred}, "does not centre"),
        ({**_PCA_DATA, "pca_mse": lambda d: float(np.var(_LOW_RANK[40:], axis=0).mean())},
         "does not change with d"),
    ],
    "01.2": [
        ({"fit_gaussian": lambda z: (z.mean(axis=0), np.cov(z)),
          "hole_fraction": lambda draws, codes, spacing: 0.4},
         "rowvar=False"),
        ({"fit_gaussian": lambda z: (z.mean(axis=0), z.std(axis=0)),
          "hole_fraction": lambda draws, codes, spacing: 0.4}, "standard deviations"),
        ({"fit_gaussian": lambda z: (z.mean(axis=0), np.cov(z, rowvar=False)),
          "hole_fraction": lambda draws, codes, spacing: float(np.mean(
              np.linalg.norm(draws[:, None] - codes[None], axis=-1).max(axis=1) > 3 * spacing))},
         "NEAREST"),
        ({"fit_gaussian": lambda z: (z.mean(axis=1), np.cov(z, rowvar=False)),
          "hole_fraction": lambda draws, codes, spacing: 0.4}, "shape"),
    ],
}
