"""vae.exercises: every checker says "not attempted" for a blank copy and "wrong" (with a
specific hint) for the deliberately wrong answers its module lists."""

import numpy as np
import pytest

from vae import exercises

REGISTERED = exercises.registered()
WRONG = exercises.wrong_answers()


def test_every_exercise_has_deliberately_wrong_answers_to_test_its_checker():
    assert sorted(WRONG) == REGISTERED


@pytest.mark.parametrize("exercise_id", REGISTERED)
def test_a_blank_student_copy_is_not_attempted_yet(exercise_id, capsys, monkeypatch):
    monkeypatch.setenv("VAE_EXERCISES_STRICT", "0")   # strict mode would raise on purpose
    feedback = exercises.check(exercise_id, {})
    assert feedback.status == exercises.NOT_ATTEMPTED
    assert "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id, case", [(i, k) for i in sorted(WRONG)
                                               for k in range(len(WRONG[i]))])
def test_a_wrong_answer_is_called_wrong_with_a_specific_hint(exercise_id, case, monkeypatch):
    monkeypatch.setenv("VAE_EXERCISES_STRICT", "0")
    namespace, words = WRONG[exercise_id][case]
    feedback = exercises.check(exercise_id, namespace)
    assert feedback.status == exercises.WRONG
    assert words in feedback.message, feedback.message


@pytest.fixture
def toy_exercise():
    def check_double(double):
        result, failed = exercises.call(double, np.arange(3.0), name="double(x)")
        return failed or exercises.compare(result, 2 * np.arange(3.0), "double(x)")

    exercises.exercise("toy.1", needs=("double",))(check_double)
    yield "toy.1"
    del exercises._CHECKERS["toy.1"]


def test_check_prints_each_outcome_and_raises_only_in_strict_mode(toy_exercise, monkeypatch,
                                                                  capsys):
    monkeypatch.setenv("VAE_EXERCISES_STRICT", "0")
    assert exercises.check(toy_exercise, {"double": lambda x: 2 * x}).status == exercises.CORRECT
    assert exercises.check(toy_exercise, {"double": ...}).status == exercises.NOT_ATTEMPTED
    failing = exercises.check(toy_exercise, {"double": lambda x: x.no_such_attribute})
    assert failing.status == exercises.WRONG and "AttributeError" in failing.message
    bad = exercises.check(toy_exercise, {"double": lambda x: -2 * x})
    assert "opposite sign" in bad.message
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✓ Exercise toy.1: correct."
    assert out[1] == "… Exercise toy.1: not attempted yet: define `double`"
    assert out[3].startswith("✗ Exercise toy.1: wrong: double(x) has the opposite sign")
    monkeypatch.setenv("VAE_EXERCISES_STRICT", "1")
    with pytest.raises(AssertionError, match="opposite sign"):
        exercises.check(toy_exercise, {"double": lambda x: -2 * x})
    with pytest.raises(ValueError, match="exercise_id='toy.9'"):
        exercises.check("toy.9", {})


REFERENCE = np.arange(1.0, 7.0).reshape(2, 3)


@pytest.mark.parametrize("answer, words", [
    (-REFERENCE, "opposite sign"), (REFERENCE + 2, "off by a constant 2"),
    (3 * REFERENCE, "off by a factor 3"), (np.ones((3, 2)), "shape (3, 2)"),
    (REFERENCE.T, "transposed"), (REFERENCE.ravel(), "same numbers"),
    (np.full((2, 3), np.nan), "NaN"),
    (REFERENCE + np.eye(2, 3), "at index (0, 0): got 2, expected 1"),
    ("one", "should be numbers"), (None, "is None"),
])
def test_compare_says_what_differs(answer, words):
    feedback = exercises.compare(answer, REFERENCE, "kl")
    assert feedback.status == exercises.WRONG and words in feedback.message, feedback.message
    assert exercises.compare(REFERENCE + 1e-9, REFERENCE).status == exercises.CORRECT


def test_call_and_choice_give_feedback_instead_of_raising():
    result, feedback = exercises.call(lambda: 1 / 0, name="f")
    assert result is None and "f raised ZeroDivisionError" in feedback.message
    assert exercises.call(3, name="f")[1].message == "f should be a function, got int"
    assert exercises.choice("B", "b", "abc").status == exercises.CORRECT
    assert "a sum" in exercises.choice("a", "b", "abc", {"a": "a sum"}).message
    assert "one of" in exercises.choice("z", "b", "abc").message
