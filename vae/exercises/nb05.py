"""Checkers for notebook 05 (Frey faces): the frame gaps of a split, the bottom-half imputation."""

import numpy as np

from vae import impute
from vae.exercises import call, compare, correct, exercise, wrong


def _frame_gaps(train_frames, test_frames):
    """Reference: |t - nearest training frame| for each test frame t, by brute force."""
    train, test = np.asarray(train_frames), np.asarray(test_frames)
    return np.abs(test[:, None] - train[None, :]).min(axis=1)


def _gap_cases():
    """(train, test) index sets: a split by time, a random split, unsorted training frames."""
    rng = np.random.default_rng(5)
    frames = np.arange(60)
    shuffled = rng.permutation(60)
    return [(frames[:50], frames[50:]), (shuffled[10:], shuffled[:10]),
            (rng.permutation(np.arange(0, 60, 7)), np.array([3, 30, 59, 0]))]


@exercise("05.1", needs=["frame_gaps"])
def check_frame_gaps(frame_gaps):
    """frame_gaps on three splits of 60 frames, against a brute-force reference."""
    for train, test in _gap_cases():
        result, failed = call(frame_gaps, train, test, name="frame_gaps(train_frames, test_frames)")
        if failed:
            return failed
        feedback = compare(result, _frame_gaps(train, test),
                           "frame_gaps(train_frames, test_frames)")
        if feedback.status != "correct":
            answer = np.asarray(result, dtype="float64")
            if answer.shape == test.shape and np.all(answer <= 0) and np.any(answer < 0):
                return wrong("frame_gaps gives negative gaps: a distance is |t - s|")
            far = np.abs(test[:, None] - np.asarray(train)[None, :]).max(axis=1)
            if answer.shape == test.shape and np.allclose(answer, far):
                return wrong("frame_gaps gives the farthest training frame; the nearest is asked")
            return feedback
    return correct()


@exercise("05.2", needs=["mask_bottom", "filled_bottom", "vae_rich", "x_test", "mean_face",
                         "n_iter"])
def check_bottom_half(mask_bottom, filled_bottom, vae_rich, x_test, mean_face, n_iter):
    """The mask hides exactly the bottom half; the fill is vae_rich's encode -> decode iteration."""
    reference_mask = impute.hide_half(np.shape(x_test), side="bottom")
    mask = np.asarray(mask_bottom)
    if mask.shape != reference_mask.shape:
        return wrong(f"mask_bottom has shape {mask.shape}; expected that of x_test "
                     f"{reference_mask.shape}")
    if np.array_equal(mask, ~reference_mask):
        return wrong("mask_bottom is inverted: True marks the observed pixels (the top half)")
    if not np.array_equal(mask, reference_mask):
        return wrong("mask_bottom should observe the top 14 rows and hide the bottom 14 "
                     "(impute.hide_half(x_test.shape, side='bottom'))")
    filled = np.asarray(filled_bottom, dtype="float64")
    if filled.shape == reference_mask.shape and not np.allclose(filled[mask], x_test[mask]):
        return wrong("filled_bottom changes observed pixels; only the hidden half may change")
    reference = impute.vae_impute(vae_rich, x_test, reference_mask, n_iter=n_iter, fill=mean_face)
    return compare(filled, reference, "filled_bottom", atol=1e-4)


_X = np.random.default_rng(0).random((4, 28, 20, 1)).astype("float32")


class _Identity:
    """A stand-in for vae_rich in the wrong answers below: encode and decode return x."""

    def encode(self, x, batch_size=1024):
        return np.asarray(x), np.zeros_like(x)

    def decode(self, z, batch_size=1024):
        return np.asarray(z)


_MEAN = _X.mean(axis=0)
_BOTTOM = impute.hide_half(_X.shape, side="bottom")
_COMMON = {"vae_rich": _Identity(), "x_test": _X, "mean_face": _MEAN, "n_iter": 2}

WRONG_ANSWERS = {
    "05.1": [
        ({"frame_gaps": lambda train, test: _frame_gaps(train, test) + 1}, "off by a constant 1"),
        ({"frame_gaps": lambda train, test: -_frame_gaps(train, test)}, "negative gaps"),
        ({"frame_gaps": lambda train, test: np.abs(np.asarray(test)[:, None]
                                                   - np.asarray(train)[None]).max(axis=1)},
         "farthest"),
    ],
    "05.2": [
        ({**_COMMON, "mask_bottom": ~_BOTTOM, "filled_bottom": _X}, "inverted"),
        ({**_COMMON, "mask_bottom": impute.hide_half(_X.shape, side="right"),
          "filled_bottom": _X}, "bottom 14"),
        ({**_COMMON, "mask_bottom": _BOTTOM, "filled_bottom": np.zeros_like(_X)},
         "changes observed pixels"),
        ({**_COMMON, "mask_bottom": _BOTTOM, "filled_bottom": np.where(_BOTTOM, _X, 0.0)},
         "differs from the reference"),
    ],
}
