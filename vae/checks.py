"""Argument checks shared by the library: bad input -> ValueError naming the argument.

Each check returns the value (converted where that helps) so that a caller can write
``n = checks.positive_int("n", n)``. NumPy scalars are accepted wherever Python numbers are.
"""

import numbers


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def int_at_least(name, value, minimum):
    """Return ``value`` as an int; ValueError unless it is an integer >= minimum (no bools)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
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


def shape(name, value, ndim=None):
    """Return ``value`` as a tuple of positive ints (of length ``ndim`` if given)."""
    dims = tuple(value) if isinstance(value, (tuple, list)) else None
    if not dims or any(not isinstance(d, numbers.Integral) or isinstance(d, bool) or d <= 0
                       for d in dims) or (ndim is not None and len(dims) != ndim):
        wanted = "(height, width, channels)" if ndim == 3 else "a tuple of positive integers"
        raise ValueError(f"{name}={value!r}: expected {wanted}")
    return tuple(int(d) for d in dims)


def one_of(name, value, choices):
    """Return ``value``; ValueError unless it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name}={value!r}: expected one of {tuple(choices)}")
    return value


def non_negative(name, value):
    """Return ``value`` as a float; ValueError unless it is a real number >= 0 (bools excluded)."""
    if not _is_real(value) or not value >= 0:
        raise ValueError(f"{name}={value!r}: expected a number >= 0")
    return float(value)


def positive(name, value, why=None):
    """Return ``value`` as a float; ValueError unless it is a real number > 0.

    why: optional reason added to the message (e.g. "likelihood 'gaussian' needs a sigma").
    """
    if not _is_real(value) or not value > 0:
        reason = f" ({why})" if why else ""
        raise ValueError(f"{name}={value!r}: expected a number > 0{reason}")
    return float(value)


def fraction(name, value, low_open=False, high_open=False):
    """Return ``value`` as a float; ValueError unless it lies in [0, 1] (ends open if asked)."""
    ok = _is_real(value) and (0 < value if low_open else 0 <= value) \
        and (value < 1 if high_open else value <= 1)
    if not ok:
        interval = f"{'(' if low_open else '['}0, 1{')' if high_open else ']'}"
        raise ValueError(f"{name}={value!r}: expected a number in {interval}")
    return float(value)


def instance(name, value, cls):
    """Return ``value``; ValueError unless it is an instance of ``cls`` (e.g. a model class)."""
    if not isinstance(value, cls):
        raise ValueError(f"{name}: expected a {cls.__module__}.{cls.__qualname__}, "
                         f"got {type(value).__name__}")
    return value
