"""Checkers for notebook 03 (the conv VAE): padding "same", the convolution matrix, overlaps."""

import numpy as np

from vae.convolution import conv_transpose_2d
from vae.exercises import call, compare, exercise, wrong


def _same(x, k, stride):
    """Reference: Conv2DTranspose(padding="same") of a 2-D x with a square 2-D kernel k."""
    return conv_transpose_2d(np.asarray(x)[:, :, None], np.asarray(k)[:, :, None, None], stride,
                             padding="same")[:, :, 0]


@exercise("03.1", needs=["transposed_conv_same"])
def check_same_padding(transposed_conv_same):
    """transposed_conv_same on a 3x3 input with kernels 3 and 5 and strides 1, 2, 3."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 3))
    for size in (3, 5):
        k = rng.normal(size=(size, size))
        for stride in (1, 2, 3):
            name = f"transposed_conv_same(x, k, stride={stride}) with a {size}x{size} kernel"
            result, failed = call(transposed_conv_same, x, k, stride, name=name)
            if failed:
                return failed
            reference = _same(x, k, stride)
            feedback = compare(result, reference, name)
            if feedback.status != "correct":
                full = conv_transpose_2d(x[:, :, None], k[:, :, None, None], stride)[:, :, 0]
                kept = full[:len(reference), :len(reference)]
                if np.shape(result) == reference.shape and np.allclose(result, kept):
                    return wrong(f"{name} keeps the first rows and columns; Keras drops "
                                 "max(k - stride, 0) // 2 of them at the top and left")
                return feedback
    return feedback


def _conv_matrix(kernel):
    """The 4x16 matrix of the 3x3 'valid' convolution of a 4x4 image."""
    rows = []
    for i, j in np.ndindex(2, 2):
        patch = np.zeros((4, 4))
        patch[i:i + 3, j:j + 3] = kernel
        rows.append(patch.ravel())
    return np.array(rows)


@exercise("03.2", needs=["C", "kernel"])
def check_conv_matrix(C, kernel):
    """C against the matrix built from the notebook's kernel."""
    reference = _conv_matrix(np.asarray(kernel, dtype="float64"))
    flipped = _conv_matrix(np.asarray(kernel, dtype="float64")[::-1, ::-1])
    if np.shape(C) == reference.shape and np.allclose(C, flipped) and not np.allclose(C, reference):
        return wrong("C uses the flipped kernel: correlate_valid (what Conv2D computes) slides "
                     "the kernel as it is")
    return compare(C, reference, "C")


@exercise("03.3", needs=["overlap"])
def check_overlap(overlap):
    """overlap: the 9x9 count of kernel copies per output pixel."""
    reference = conv_transpose_2d(np.ones((4, 4, 1)), np.ones((3, 3, 1, 1)), strides=2)[:, :, 0]
    if np.shape(overlap) == (8, 8):
        return wrong("overlap has shape (8, 8): that is padding='same'; the exercise asks for "
                     "the full ('valid') output, (4 - 1) * 2 + 3 = 9 pixels a side")
    return compare(overlap, reference, "overlap")


_KERNEL = np.arange(1.0, 10.0).reshape(3, 3)


def _keep_first(x, k, stride):
    full = conv_transpose_2d(np.asarray(x)[:, :, None], np.asarray(k)[:, :, None, None],
                             stride)[:, :, 0]
    return full[:x.shape[0] * stride, :x.shape[1] * stride]


WRONG_ANSWERS = {
    "03.1": [
        ({"transposed_conv_same": _keep_first}, "keeps the first rows"),
        ({"transposed_conv_same": lambda x, k, stride: _same(x, k, stride).T}, "transposed"),
    ],
    "03.2": [
        ({"C": _conv_matrix(_KERNEL[::-1, ::-1]), "kernel": _KERNEL}, "flipped kernel"),
        ({"C": _conv_matrix(_KERNEL).T, "kernel": _KERNEL}, "transposed"),
    ],
    "03.3": [
        ({"overlap": np.ones((9, 9))}, "differs from the reference"),
        ({"overlap": conv_transpose_2d(np.ones((4, 4, 1)), np.ones((3, 3, 1, 1)), 2, "same")},
         "shape"),
    ],
}
