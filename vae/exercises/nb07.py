"""Checkers for notebook 07 (M2): the entropy of q(y | x), style transfer with M2."""

import numpy as np

from vae.exercises import call, compare, exercise, wrong

_PROBS = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def _entropy(probs):
    p = np.asarray(probs, dtype="float64")
    return -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=1)


@exercise("07.1", needs=["predictive_entropy"])
def check_entropy(predictive_entropy):
    """Rows with zeros (0 log 0 = 0), a one-hot row (entropy 0) and the uniform row (log K)."""
    name = "predictive_entropy(probs)"
    result, failed = call(predictive_entropy, _PROBS.copy(), name=name)
    if failed:
        return failed
    answer = np.asarray(result, dtype="float64")
    if answer.shape == (len(_PROBS),) and np.isnan(answer[:2]).any():
        return wrong(f"{name} is NaN for rows with a zero probability: take 0 log 0 = 0")
    if answer.shape == (len(_PROBS),) and np.allclose(answer, _entropy(_PROBS) / np.log(2)):
        return wrong(f"{name} is in bits (log2); the course measures entropy in nats (np.log)")
    return compare(answer, _entropy(_PROBS), name, atol=1e-6)


def _transfer(m2, x_test):
    x5 = np.asarray(x_test[:5])
    y5 = np.eye(10, dtype="float32")[m2.classify(x5).argmax(axis=1)]
    z5, _ = m2.encode([x5, y5])
    return m2.decode([np.repeat(z5, 10, axis=0), np.tile(np.eye(10, dtype="float32"), (5, 1))])


@exercise("07.2", needs=["transfer", "m2", "x_test"])
def check_transfer(transfer, m2, x_test):
    """The 50 images: row i = test image i's code, decoded with labels 0..9."""
    reference = _transfer(m2, x_test)
    answer = np.asarray(transfer, dtype="float64")
    if answer.shape == reference.shape:
        by_label = reference.reshape(5, 10, -1).transpose(1, 0, 2).reshape(reference.shape)
        if np.allclose(answer, by_label, atol=1e-4):
            return wrong("transfer is ordered label by label; expected five rows of ten, "
                         "row i holding image i's style (np.repeat the codes, np.tile the labels)")
    return compare(answer, reference, "transfer", atol=1e-4)


class _Toy:
    """A stand-in for M2 in the wrong answers: 2-D inputs, code = input, decode = code + label."""

    def classify(self, x):
        return np.eye(10)[np.arange(len(x)) % 10]

    def encode(self, inputs):
        return np.asarray(inputs[0], dtype="float32"), None

    def decode(self, inputs):
        z, y = inputs
        return np.asarray(z) + np.asarray(y).argmax(axis=1)[:, None]


_X = np.arange(10.0, dtype="float32").reshape(5, 2)
_GOOD = _transfer(_Toy(), _X)

def _naive_entropy(p):
    """-sum p log p without the 0 log 0 = 0 convention: NaN where a probability is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(p * np.log(p), axis=1)


WRONG_ANSWERS = {
    "07.1": [
        ({"predictive_entropy": _naive_entropy}, "0 log 0"),
        ({"predictive_entropy": lambda p: _entropy(p) / np.log(2)}, "bits"),
        ({"predictive_entropy": lambda p: -_entropy(p)}, "opposite sign"),
    ],
    "07.2": [
        ({"transfer": _GOOD.reshape(5, 10, 2).transpose(1, 0, 2).reshape(50, 2), "m2": _Toy(),
          "x_test": _X}, "label by label"),
        ({"transfer": _GOOD[:10], "m2": _Toy(), "x_test": _X}, "shape"),
    ],
}
