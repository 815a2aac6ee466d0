"""Checkers for notebook 02 (the VAE): the two forms of the ELBO, the KL of two Gaussians."""

import numpy as np

from vae.exercises import call, compare, correct, exercise, wrong

# (x, m, v, w, s): points of the linear-Gaussian model of exercise 1, the exact posterior last
_ELBO_CASES = [(1.3, 0.0, 1.0, 2.0, 0.5), (1.3, 0.9, 0.2, 2.0, 0.5), (-0.4, 0.3, 2.0, 1.0, 1.5),
               (1.3, 2.6 / 4.25, 0.25 / 4.25, 2.0, 0.5)]


def _log_gauss(t, mean, var):
    return -0.5 * (np.log(2 * np.pi * var) + (t - mean) ** 2 / var)


def _expected_log_lik(x, m, v, w, s):
    """E_{N(z; m, v)} log N(x; w z, s^2)."""
    return -0.5 * (np.log(2 * np.pi * s ** 2) + ((x - w * m) ** 2 + w ** 2 * v) / s ** 2)


def _kl(m, v):
    """KL( N(m, v) || N(0, 1) )."""
    return 0.5 * (v + m ** 2 - 1 - np.log(v))


def _elbo(x, m, v, w, s):
    return _expected_log_lik(x, m, v, w, s) - _kl(m, v)


def _call_each(fn, cases, name):
    """([fn(*case) for case in cases], None), or (None, the feedback on the first failure)."""
    answers = []
    for case in cases:
        value, failed = call(fn, *case, name=name)
        if failed:
            return None, failed
        answers.append(value)
    return answers, None


@exercise("02.1", needs=["elbo_closed_form", "elbo_monte_carlo"])
def check_elbo(elbo_closed_form, elbo_monte_carlo):
    """The closed form at four points (against the reference and the KL's sign), then the Monte
    Carlo estimate within 5 standard errors of it, and the bound tight at the exact posterior."""
    answers, failed = _call_each(elbo_closed_form, _ELBO_CASES, "elbo_closed_form(x, m, v, w, s)")
    if failed:
        return failed
    reference = [_elbo(*case) for case in _ELBO_CASES]
    feedback = compare(answers, reference, "elbo_closed_form(x, m, v, w, s)")
    if feedback.status != "correct":
        if np.allclose(answers, [_expected_log_lik(*c) + _kl(*c[1:3]) for c in _ELBO_CASES]):
            return wrong("elbo_closed_form adds the KL term; the ELBO subtracts it")
        if np.allclose(answers, [_expected_log_lik(*c) for c in _ELBO_CASES]):
            return wrong("elbo_closed_form is missing the KL term")
        if np.allclose(answers, [_elbo_without_variance(*c) for c in _ELBO_CASES]):
            return wrong("elbo_closed_form leaves out the w^2 v / s^2 part of E_q[(x - w z)^2]")
        return feedback
    n = 200_000
    x, m, v, w, s = _ELBO_CASES[1]
    estimate, failed = call(elbo_monte_carlo, x, m, v, w, s, n, name="elbo_monte_carlo")
    if failed:
        return failed
    rng = np.random.default_rng(0)
    z = m + np.sqrt(v) * rng.standard_normal(n)
    terms = _log_gauss(x, w * z, s ** 2) + _log_gauss(z, 0.0, 1.0) - _log_gauss(z, m, v)
    se = terms.std() / np.sqrt(n)
    try:
        estimate = float(np.asarray(estimate, dtype="float64"))
    except (TypeError, ValueError):
        return wrong(f"elbo_monte_carlo should return one number, got {type(estimate).__name__}")
    if abs(estimate - reference[1]) > 5 * se:
        return wrong(f"elbo_monte_carlo(x, m, v, w, s, n={n:,}) gave {estimate:.4f}; the ELBO is "
                     f"{reference[1]:.4f} (standard error {se:.4f}): average log p(x, z) - "
                     "log q(z) over draws z ~ N(m, v)")
    return correct()


@exercise("02.2", needs=["kl_mvn"])
def check_kl_mvn(kl_mvn):
    """kl_mvn on random full-covariance Gaussians in 1 to 4 dimensions, against the formula."""
    rng = np.random.default_rng(2)
    cases = []
    for k in (1, 2, 3, 4):
        a, b = rng.normal(size=(2, k, k))
        cases.append((rng.normal(size=k), a @ a.T + 0.5 * np.eye(k),
                      rng.normal(size=k), b @ b.T + 0.5 * np.eye(k)))
    answers, failed = _call_each(kl_mvn, cases, "kl_mvn(mu0, cov0, mu1, cov1)")
    if failed:
        return failed
    reference = [_kl_mvn(*case) for case in cases]
    feedback = compare(answers, reference, "kl_mvn(mu0, cov0, mu1, cov1)")
    if feedback.status != "correct":
        swapped = [_kl_mvn(m1, c1, m0, c0) for m0, c0, m1, c1 in cases]
        if np.allclose(np.asarray(answers, dtype="float64"), swapped):
            return wrong("kl_mvn computes KL(N1 || N0): the arguments are swapped (the KL is "
                         "not symmetric; the expectation is under the first Gaussian)")
    return feedback


def _kl_mvn(mu0, cov0, mu1, cov1):
    diff = mu1 - mu0
    return 0.5 * (np.trace(np.linalg.solve(cov1, cov0)) + diff @ np.linalg.solve(cov1, diff)
                  - len(mu0) + np.linalg.slogdet(cov1)[1] - np.linalg.slogdet(cov0)[1])


def _elbo_plus_kl(x, m, v, w, s):
    return _expected_log_lik(x, m, v, w, s) + _kl(m, v)


def _elbo_without_variance(x, m, v, w, s):
    return -0.5 * (np.log(2 * np.pi * s ** 2) + (x - w * m) ** 2 / s ** 2) - _kl(m, v)


def _mc_wrong(x, m, v, w, s, n):
    """Averages log p(x | z) only: the first form without its log p(z) - log q(z) part."""
    z = m + np.sqrt(v) * np.random.default_rng(1).standard_normal(n)
    return np.mean(_log_gauss(x, w * z, s ** 2))


WRONG_ANSWERS = {
    "02.1": [
        ({"elbo_closed_form": _elbo_plus_kl, "elbo_monte_carlo": _mc_wrong}, "adds the KL"),
        ({"elbo_closed_form": _expected_log_lik, "elbo_monte_carlo": _mc_wrong},
         "missing the KL"),
        ({"elbo_closed_form": _elbo_without_variance, "elbo_monte_carlo": _mc_wrong},
         "w^2 v / s^2"),
        ({"elbo_closed_form": _elbo, "elbo_monte_carlo": _mc_wrong}, "average log p(x, z)"),
    ],
    "02.2": [
        ({"kl_mvn": lambda mu0, cov0, mu1, cov1: _kl_mvn(mu1, cov1, mu0, cov0)},
         "arguments are swapped"),
        ({"kl_mvn": lambda mu0, cov0, mu1, cov1: 2 * _kl_mvn(mu0, cov0, mu1, cov1)},
         "factor 2"),
        ({"kl_mvn": lambda mu0, cov0, mu1, cov1: _kl_mvn(mu0, cov0, mu1, cov1)[None]},
         "shape"),
    ],
}
