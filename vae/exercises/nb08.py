"""Checkers for notebook 08 (imputation): the RMSE-vs-iterations curve, pseudo-Gibbs
completions, the effective sample size of importance weights, and z = 0 vs an average."""

import numpy as np

from vae.exercises import call, choice, compare, correct, exercise, log_weight_cases, wrong
from vae.impute import vae_impute


class _LinearModel:
    """A stand-in for a trained VAE (NumPy only): encode = projection onto a fixed basis,
    decode = the basis back, squashed into [0, 1]. Enough for vae_impute's iteration."""

    def __init__(self, dim=12, latent=3):
        rng = np.random.default_rng(0)
        self.basis = np.linalg.qr(rng.normal(size=(dim, latent)))[0].astype(np.float32)

    def encode(self, x, batch_size=1024):
        z = np.reshape(x, (len(x), -1)) @ self.basis
        return z, np.zeros_like(z)

    def decode(self, z, batch_size=1024):
        return 1 / (1 + np.exp(-4 * (np.asarray(z) @ self.basis.T - 0.5)))


def _toy_images():
    rng = np.random.default_rng(1)
    x = rng.uniform(size=(6, 3, 4, 1)).astype(np.float32)
    mask = np.ones_like(x, dtype=bool)
    mask[:, 2:] = False                                   # the bottom row is missing
    return x, mask


def _rmse(filled, x, mask, missing_only=True):
    error = (np.asarray(filled) - x)[~mask] if missing_only else np.asarray(filled) - x
    return float(np.sqrt(np.mean(error ** 2)))


@exercise("08.1", needs=["rmse_curve"])
def check_rmse_curve(rmse_curve):
    model, (x, mask), steps = _LinearModel(), _toy_images(), [1, 2, 5]
    result, failed = call(rmse_curve, model, x, mask, steps,
                          name="rmse_curve(model, x, mask, steps)")
    if failed:
        return failed
    fills = [vae_impute(model, x, mask, n_iter=s) for s in steps]
    reference = [_rmse(f, x, mask) for f in fills]
    try:
        answer = np.asarray(result, dtype="float64")
    except (TypeError, ValueError):
        return wrong("rmse_curve should return a list of numbers, one per entry of steps")
    if answer.shape == (len(steps),):
        if np.allclose(answer, [_rmse(f, x, mask, missing_only=False) for f in fills]):
            return wrong("your RMSE counts the observed pixels too; score the missing ones only")
        if np.allclose(answer, np.square(reference)):
            return wrong("that is the mean squared error; take its square root (RMSE)")
    return compare(answer, reference, "rmse_curve(...)", rtol=1e-4)


@exercise("08.2", needs=["completions", "x4", "mask4"])
def check_completions(completions, x4, mask4):
    c = np.asarray(completions, dtype="float64")
    expected = (len(x4), 5, *np.shape(x4)[1:])
    if c.shape != expected:
        return wrong(f"`completions` has shape {c.shape}; expected {expected} "
                     "(images, seeds, height, width, channels)")
    kept = np.broadcast_to(np.asarray(x4)[:, None], c.shape)[
        np.broadcast_to(np.asarray(mask4)[:, None], c.shape)]
    if not np.allclose(c[np.broadcast_to(np.asarray(mask4)[:, None], c.shape)], kept):
        return wrong("the observed pixels changed: a completion must keep them")
    spread = np.ptp(c, axis=1)[~np.asarray(mask4)]
    if np.max(spread) == 0:
        return wrong("all five completions are identical: draw z (sample=True) with a "
                     "different seed each time")
    return correct(f"the completions differ by {spread.mean():.3f} on average on the missing "
                   "pixels, and not at all on the observed ones")


def _reference_ess(log_w):
    log_w = np.asarray(log_w, dtype="float64")
    w = np.exp(log_w - log_w.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    return 1 / np.sum(w ** 2, axis=1)


_LOG_W = np.random.default_rng(2).normal(-800.0, 2.0, size=(5, 30))   # exp() gives 0.0 here


@exercise("08.3", needs=["effective_sample_size"])
def check_effective_sample_size(effective_sample_size):
    simple = np.array([[0.0] * 8, [0.0] * 2 + [-50.0] * 6])   # 8 equal weights; 2 that count
    return log_weight_cases(effective_sample_size, "effective_sample_size", [
        (simple, np.array([8.0, 2.0]), "[8 equal weights], [2 equal, 6 negligible]"),
        (_LOG_W, _reference_ess(_LOG_W), "log weights near -800")])


def _bottom_half(x_test, test_masks):
    return np.asarray(x_test), np.asarray(test_masks["bottom half"])


@exercise("08.4", needs=["average", "at_zero", "better", "x_test", "test_masks"])
def check_average_or_zero(average, at_zero, better, x_test, test_masks):
    x, mask = _bottom_half(x_test, test_masks)
    for name, fill in (("average", average), ("at_zero", at_zero)):
        fill = np.asarray(fill, dtype="float64")
        if fill.shape != x.shape:
            return wrong(f"`{name}` has shape {fill.shape}; expected the test images' {x.shape}")
        if not np.allclose(fill[mask], x[mask], atol=1e-6):
            return wrong(f"`{name}` changed observed pixels: fill the bottom half only")
    if np.allclose(average, at_zero):
        return wrong("`average` equals the fill at z = 0: average completions drawn with "
                     "sample=True and different seeds")
    rmse_average, rmse_zero = _rmse(average, x, mask), _rmse(at_zero, x, mask)
    right = "average" if rmse_average < rmse_zero else "z = 0"
    feedback = choice(better, right, ["average", "z = 0"], {
        "average": f"the average's RMSE {rmse_average:.4f} is not below {rmse_zero:.4f}",
        "z = 0": f"the fill at z = 0 has RMSE {rmse_zero:.4f}, the average {rmse_average:.4f}"})
    return feedback if feedback.status != "correct" else correct(
        f"RMSE {rmse_average:.4f} for the average, {rmse_zero:.4f} at z = 0")


_X = np.random.default_rng(3).uniform(size=(4, 28, 28, 1)).astype(np.float32)
_MASKS = {"bottom half": np.ones_like(_X, dtype=bool)}
_MASKS["bottom half"][:, 14:] = False
_ZERO = np.where(_MASKS["bottom half"], _X, 0.5)
_AVERAGE = np.where(_MASKS["bottom half"], _X, 0.45 + 0.1 * _X)     # closer to x: the better one
_DRAWS = np.stack([np.where(_MASKS["bottom half"], _X, s / 5) for s in range(5)], axis=1)

def _naive_ess(log_w):
    """Normalising exp(log_w) as written: 0 / 0 where exp underflows (no warning)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.exp(log_w) / np.exp(log_w).sum(axis=1, keepdims=True)
        return 1 / np.sum(w ** 2, axis=1)


WRONG_ANSWERS = {
    "08.1": [
        ({"rmse_curve": lambda model, x, mask, steps: [
            _rmse(vae_impute(model, x, mask, n_iter=s), x, mask, missing_only=False)
            for s in steps]}, "observed pixels too"),
        ({"rmse_curve": lambda model, x, mask, steps: [
            _rmse(vae_impute(model, x, mask, n_iter=s), x, mask) ** 2 for s in steps]},
         "square root"),
        ({"rmse_curve": lambda model, x, mask, steps: [0.1] * (len(steps) + 1)}, "shape"),
    ],
    "08.2": [
        ({"completions": np.repeat(_ZERO[:, None], 5, axis=1), "x4": _X,
          "mask4": _MASKS["bottom half"]}, "identical"),
        ({"completions": _DRAWS[:, :3], "x4": _X, "mask4": _MASKS["bottom half"]}, "shape"),
        ({"completions": np.full_like(_DRAWS, 0.5) + np.arange(5)[None, :, None, None, None],
          "x4": _X, "mask4": _MASKS["bottom half"]}, "observed pixels changed"),
    ],
    "08.3": [
        ({"effective_sample_size": _naive_ess}, "underflows"),
        ({"effective_sample_size": lambda lw: 1 / np.sum(np.exp(lw) ** 2, axis=1)}, "differs"),
        ({"effective_sample_size": lambda lw: np.sum(np.exp(lw - lw.max(axis=1, keepdims=True)),
                                                     axis=1) ** 2}, "differs"),
    ],
    "08.4": [
        ({"average": _AVERAGE, "at_zero": _ZERO, "better": "z = 0", "x_test": _X,
          "test_masks": _MASKS}, "the fill at z = 0 has RMSE"),
        ({"average": _ZERO, "at_zero": _ZERO, "better": "z = 0", "x_test": _X,
          "test_masks": _MASKS}, "sample=True"),
        ({"average": np.full_like(_X, 0.5), "at_zero": _ZERO, "better": "average", "x_test": _X,
          "test_masks": _MASKS}, "changed observed pixels"),
    ],
}
