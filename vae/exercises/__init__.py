"""Feedback on the notebooks' exercises: the student's answer against a reference.

Each exercise in a notebook is followed by one untagged check cell::

    exercises.check("02.1", globals())

The checker registered under ``"02.1"`` (in ``vae/exercises/nb02.py``) looks up the names the
exercise asks the student to define, compares them with a reference computed here, and prints
one line:

    ✓ Exercise 02.1: correct.
    … Exercise 02.1: not attempted yet: define `kl_closed_form`.
    ✗ Exercise 02.1: wrong: `kl_closed_form` has the opposite sign of the reference.

A check never stops the notebook, so a student's copy runs top to bottom. In strict mode
(``VAE_EXERCISES_STRICT=1``, which the test suite sets for the course notebooks, where the
solutions are filled in) anything but "correct" raises ``AssertionError``, so a broken
solution fails ``make test``.

Checkers are small functions registered with :func:`exercise`, one module per notebook
(``nb01.py``, ``nb02.py``, ...); the helpers here (:func:`compare`, :func:`call`,
:func:`choice`) say *what* differs: a shape, a sign, a constant, a factor, an exception.
Each module also lists deliberately wrong answers in ``WRONG_ANSWERS`` = {exercise id:
[(namespace, words the feedback must contain), ...]}; ``tests/test_exercises.py`` feeds
them to the checkers and asserts that the feedback says "wrong" with those words.
"""

import importlib
import pkgutil
from typing import NamedTuple

import numpy as np

CORRECT, NOT_ATTEMPTED, WRONG = "correct", "not attempted", "wrong"
_SYMBOLS = {CORRECT: "✓", NOT_ATTEMPTED: "…", WRONG: "✗"}
_CHECKERS = {}


class Feedback(NamedTuple):
    """The outcome of one check: ``status`` (correct / not attempted / wrong) and a hint."""

    status: str
    message: str = ""


def correct(message=""):
    return Feedback(CORRECT, message)


def wrong(message):
    return Feedback(WRONG, message)


def exercise(exercise_id, needs):
    """Register ``checker(*values) -> Feedback`` for ``exercise_id`` (e.g. ``"02.1"``).

    needs: the names the student defines, in the order the checker takes them; when one
    of them is missing from the notebook's namespace (or still ``...`` / None), the
    exercise is "not attempted yet" and the checker is not called.
    """
    def register(checker):
        if exercise_id in _CHECKERS:
            raise ValueError(f"exercise_id={exercise_id!r}: registered twice")
        _CHECKERS[exercise_id] = (tuple(needs), checker)
        return checker
    return register


def _load_checkers():
    """Import every ``vae/exercises/nbNN.py`` module once (each registers its checkers);
    return the modules."""
    return [importlib.import_module(f"{__name__}.{module.name}")
            for module in pkgutil.iter_modules(__path__)]


def wrong_answers():
    """{exercise id: [(namespace, words), ...]}: every module's ``WRONG_ANSWERS``, merged."""
    merged = {}
    for module in _load_checkers():
        merged.update(getattr(module, "WRONG_ANSWERS", {}))
    return merged


def registered():
    """The ids of every registered exercise, sorted (``"01.1"``, ``"01.2"``, ...)."""
    _load_checkers()
    return sorted(_CHECKERS)


def strict():
    """True when ``VAE_EXERCISES_STRICT`` is set to 1: failed checks then raise."""
    from vae.config import env_flag

    return env_flag("VAE_EXERCISES_STRICT")


def evaluate(exercise_id, namespace):
    """The :class:`Feedback` for exercise ``exercise_id`` given the notebook's ``namespace``."""
    _load_checkers()
    if exercise_id not in _CHECKERS:
        raise ValueError(f"exercise_id={exercise_id!r}: expected one of {sorted(_CHECKERS)}")
    needs, checker = _CHECKERS[exercise_id]
    missing = [n for n in needs if namespace.get(n, None) is None or namespace[n] is Ellipsis]
    if missing:
        names = ", ".join(f"`{n}`" for n in missing)
        return Feedback(NOT_ATTEMPTED, f"define {names}")
    try:
        return checker(*(namespace[n] for n in needs))
    except Exception as err:   # the student's code may fail in any way: say how, don't crash
        return wrong(f"checking it raised {type(err).__name__}: {err}")


def check(exercise_id, namespace):
    """Print the feedback on exercise ``exercise_id`` for a notebook's ``globals()``.

    Returns the :class:`Feedback`. In strict mode anything but "correct" raises
    AssertionError (the course notebooks are run that way by the tests).
    """
    feedback = evaluate(exercise_id, namespace)
    line = f"{_SYMBOLS[feedback.status]} Exercise {exercise_id}: {feedback.status}"
    if feedback.status == NOT_ATTEMPTED:
        line = f"{_SYMBOLS[feedback.status]} Exercise {exercise_id}: not attempted yet"
    print(f"{line}: {feedback.message}" if feedback.message else f"{line}.")
    if strict() and feedback.status != CORRECT:
        raise AssertionError(line + (f": {feedback.message}" if feedback.message else ""))
    return feedback


# ---------------------------------------------------------------- helpers for the checkers

def call(fn, *args, name="your function", **kwargs):
    """(result, None) from ``fn(*args, **kwargs)``, or (None, wrong feedback) if it fails.

    Typical use in a checker: ``result, failed = call(f, x); return failed or compare(...)``.
    """
    if not callable(fn):
        return None, wrong(f"{name} should be a function, got {type(fn).__name__}")
    try:
        return fn(*args, **kwargs), None
    except Exception as err:
        return None, wrong(f"{name} raised {type(err).__name__}: {err}")


def _as_array(value):
    """value as float64 NumPy: numbers, lists, arrays and tensors of any backend."""
    try:
        return np.asarray(value, dtype="float64")
    except (TypeError, ValueError, RuntimeError):   # e.g. a torch tensor that needs grad
        from keras import ops

        return np.asarray(ops.convert_to_numpy(value), dtype="float64")


def compare(answer, reference, name="your answer", rtol=1e-5, atol=1e-8):
    """Feedback on a numeric ``answer`` (array, tensor or number) against ``reference``.

    Correct when np.allclose(answer, reference, rtol, atol). Otherwise the hint says what
    differs: the shape (or a transpose), NaN/inf values, the sign, a constant offset, a
    constant factor (e.g. a mean where a sum was asked for), or the largest difference.
    """
    if answer is None:
        return wrong(f"{name} is None (does your function end with a return?)")
    try:
        a = _as_array(answer)
    except (TypeError, ValueError):
        return wrong(f"{name} should be numbers, got {type(answer).__name__}")
    r = _as_array(reference)
    close = lambda x: np.allclose(x, r, rtol=rtol, atol=atol)   # noqa: E731
    if a.shape != r.shape:
        if a.T.shape == r.shape and close(a.T):
            return wrong(f"{name} is transposed: shape {a.shape}, expected {r.shape}")
        if a.size == r.size and close(a.reshape(r.shape)):
            return wrong(f"{name} has shape {a.shape}; expected {r.shape} (same numbers)")
        return wrong(f"{name} has shape {a.shape}; expected {r.shape}")
    if not np.all(np.isfinite(a)) and np.all(np.isfinite(r)):
        return wrong(f"{name} contains NaN or infinite values")
    if close(a):
        return correct()
    if np.any(r != 0) and close(-a):
        return wrong(f"{name} has the opposite sign of the reference")
    offset = np.mean(a - r)
    if a.size > 1 and close(a - offset):
        return wrong(f"{name} is off by a constant {offset:.4g} everywhere")
    nonzero = np.abs(r) > atol
    if np.any(nonzero):
        factor = np.median(a[nonzero] / r[nonzero])
        if np.isfinite(factor) and factor != 0 and close(a / factor):
            return wrong(f"{name} is off by a factor {factor:.4g} "
                         "(a sum instead of a mean? a missing 1/2?)")
    i = np.unravel_index(np.argmax(np.abs(a - r)), a.shape) if a.ndim else ()
    where = f" at index {tuple(int(k) for k in i)}" if a.ndim else ""
    return wrong(f"{name} differs from the reference{where}: got {a[i]:.5g}, expected {r[i]:.5g}")


def choice(answer, correct_option, options, explanations=None):
    """Feedback on a multiple-choice ``answer`` (one of ``options``, case-insensitive).

    explanations: optional {option: why it is wrong}, shown when that option is picked.
    """
    options = [str(o).lower() for o in options]
    picked = str(answer).strip().lower()
    if picked not in options:
        return wrong(f"answer with one of {options}, got {answer!r}")
    if picked == str(correct_option).lower():
        return correct()
    hint = (explanations or {}).get(picked, "not this one; read the question again")
    return wrong(f"{answer!r}: {hint}")


def log_weight_cases(fn, name, cases):
    """Feedback on a student's ``fn(log_w (n, k)) -> (n,)`` over ``cases``, in order.

    cases: [(log_w, reference (n,), what the case is in words)]; put a case with log weights
    far below zero last: a NaN or infinite answer there where the reference is finite gets
    the hint that ``exp`` underflowed.
    """
    for log_w, reference, label in cases:
        result, failed = call(fn, log_w, name=f"{name}(log_w)")
        if failed:
            return failed
        try:
            answer = _as_array(result)
        except (TypeError, ValueError):
            return wrong(f"{name} should return numbers, got {type(result).__name__}")
        if answer.shape == np.shape(reference) and not np.all(np.isfinite(answer)):
            return wrong(f"{name} gives NaN or inf for {label}: exp underflows; subtract each "
                         "row's largest log weight before exponentiating")
        feedback = compare(answer, reference, f"{name} on {label}", rtol=1e-4)
        if feedback.status != CORRECT:
            return feedback
    return correct()
