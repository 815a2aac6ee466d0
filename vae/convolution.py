"""A reference transposed convolution, written from its definition in NumPy.

Each input pixel stamps a copy of the kernel, scaled by its value, onto the output at
``stride`` times its position; overlapping stamps add up. This is the transpose (the
adjoint) of a strided convolution, and what ``keras.layers.Conv2DTranspose`` computes.
"""

import numpy as np

from vae import checks


def conv_transpose_2d(x, kernel, strides=1, padding="valid"):
    """Transposed 2-D convolution of one image, without bias.

    x: (height, width, in_channels); kernel: (kh, kw, out_channels, in_channels), the
    layout of Keras' Conv2DTranspose. Output: (H, W, out_channels) with
    H = (height - 1) * strides + max(kh, strides) for padding="valid" (zeros complete the
    last stride when kh < strides) and H = height * strides for "same" (the full output
    cropped as TensorFlow does); likewise W.
    """
    x, kernel = np.asarray(x, dtype="float64"), np.asarray(kernel, dtype="float64")
    if x.ndim != 3 or kernel.ndim != 4 or kernel.shape[3] != x.shape[2]:
        raise ValueError(f"x, kernel: expected (h, w, c_in) and (kh, kw, c_out, c_in), "
                         f"got {x.shape} and {kernel.shape}")
    checks.positive_int("strides", strides)
    checks.one_of("padding", padding, ("valid", "same"))
    (h, w, _), (kh, kw, c_out, _) = x.shape, kernel.shape
    out = np.zeros(((h - 1) * strides + max(kh, strides),
                    (w - 1) * strides + max(kw, strides), c_out))
    for i in range(h):
        for j in range(w):
            stamp = kernel @ x[i, j]                      # (kh, kw, c_out)
            out[i * strides:i * strides + kh, j * strides:j * strides + kw] += stamp
    if padding == "valid":
        return out
    top, left = max(kh - strides, 0) // 2, max(kw - strides, 0) // 2
    return out[top:top + h * strides, left:left + w * strides]
