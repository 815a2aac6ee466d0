"""Argument checks shared by the library: bad input -> ValueError naming the argument."""

import numpy as np


def int_at_least(name, value, minimum):
    """Return ``value`` as an int; ValueError unless it is an integer >= minimum (no bools)."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name}={value!r}: expected an integer >= {minimum}")
    return int(value)


def positive_int(name, value):
    """Return ``value`` as an int; ValueError unless it is an integer > 0 (bools excluded)."""
    return int_at_least(name, value, 1)


def positive_ints(name, values):
    """Return ``values`` as a tuple; ValueError unless it is a non-empty tuple/list of ints > 0."""
    if not isinstance(values, (tuple, list)) or not values:
        raise ValueError(f"{name}={values!r}: expected a non-empty tuple of positive integers")
    return tuple(positive_int(name, v) for v in values)


def one_of(name, value, choices):
    """Return ``value``; ValueError unless it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name}={value!r}: expected one of {choices}")
    return value


def non_negative(name, value):
    """Return ``value`` as a float; ValueError unless it is a real number >= 0 (bools excluded)."""
    if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool) \
            or not value >= 0:
        raise ValueError(f"{name}={value!r}: expected a number >= 0")
    return float(value)
