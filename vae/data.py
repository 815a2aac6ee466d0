"""Offline-first loaders for the course's real data sets.

Every file is named by its path relative to a data folder (the layout of the
offline mirror) and has a canonical URL and a SHA-256. A file is looked up

1. in ``$VAE_DATA_DIR/<path>`` (the offline mirror; an error if the folder is missing),
2. in the Keras cache, ``$KERAS_HOME/datasets/vae-course/<path>`` (``~/.keras`` by default),
3. on the internet with ``keras.utils.get_file(..., file_hash=sha256)``, unless
   ``VAE_OFFLINE=1`` (the test suite sets it: tests never download).

A file whose checksum does not match raises ``ChecksumError`` and is never parsed.
"""

import csv
import gzip
import hashlib
import io
import os
import warnings
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from vae.config import env_flag, keras_home

CACHE_SUBDIR = "vae-course"
_MNIST_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
_LAROCHELLE_URL = "http://www.cs.toronto.edu/~larocheh/public/datasets/binarized_mnist/"
_UCI_POWER_ZIP = "smart-meter/household_power_consumption.zip"

# path -> (canonical URL, SHA-256). The UCI zip has no published checksum (see README).
FILES = {
    "frey_rawface.mat": (
        "https://cs.nyu.edu/~roweis/data/frey_rawface.mat",
        "265a83a23adb081755cd3de375509828e690324d1d60f076b8ecebc840d59c64"),
    "mnist/train-images-idx3-ubyte.gz": (
        _MNIST_URL + "train-images-idx3-ubyte.gz",
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    "mnist/train-labels-idx1-ubyte.gz": (
        _MNIST_URL + "train-labels-idx1-ubyte.gz",
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    "mnist/t10k-images-idx3-ubyte.gz": (
        _MNIST_URL + "t10k-images-idx3-ubyte.gz",
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    "mnist/t10k-labels-idx1-ubyte.gz": (
        _MNIST_URL + "t10k-labels-idx1-ubyte.gz",
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    "binarized_mnist/binarized_mnist_train.amat": (
        _LAROCHELLE_URL + "binarized_mnist_train.amat",
        "ad693b29f94c14277b095f5238ddefbbdaaae0939789dd2f4f0205278cee3e4d"),
    "binarized_mnist/binarized_mnist_valid.amat": (
        _LAROCHELLE_URL + "binarized_mnist_valid.amat",
        "1de3d397c40fe8eeb33dafd4099a1f665ec01e96d9be234aaeeac8a34930e2e2"),
    "binarized_mnist/binarized_mnist_test.amat": (
        _LAROCHELLE_URL + "binarized_mnist_test.amat",
        "e6687bfea3f820c174f33b7865140b2a2dd2930ef786f35d45795fc193b5ab2c"),
    "smart-meter/household_power_consumption_hourly_mean.csv": (
        "https://raw.githubusercontent.com/Ciaracam/612-Group-Project/"
        "319de1766ee34402128e0c108ffef909f1a0faff/data/household_power_consumption_hourly.csv",
        "540250509d0fda1ebe11d0d8aa52524734dbb55c7616bfadbd57a1021cc711ad"),
    "smart-meter/household_power_consumption_hourly_gap_sum.csv": (
        "https://raw.githubusercontent.com/ritu2012/"
        "Novel-Machine-learning-methodology-for-prediction-based-anomaly-detection/"
        "ebecc1aa3f90d6bf03b51a88ea572a541077d3a7/household_power_consumption_hourly.csv",
        "8970285826102b4d96f2993cec580a72f6595498473136765fe9501f721de3f2"),
    _UCI_POWER_ZIP: (
        "https://archive.ics.uci.edu/ml/machine-learning-databases/00235/"
        "household_power_consumption.zip",
        None),
}


class ChecksumError(ValueError):
    """A data file's SHA-256 differs from the published one."""


class DataNotFoundError(FileNotFoundError):
    """A data file is neither in ``$VAE_DATA_DIR``, nor cached, nor downloadable."""


# ---------------------------------------------------------------- file lookup

def sha256(path):
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_verified = {}  # (path, size, mtime) of files whose checksum already matched


def _verify(path, expected):
    """Raise ChecksumError unless ``path`` has SHA-256 ``expected``; return the path."""
    if expected is None:
        return path
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _verified:
        actual = sha256(path)
        if actual != expected:
            raise ChecksumError(
                f"{path}: SHA-256 is {actual}, expected {expected}. The file is corrupt or "
                "not the published one; delete it and download it again.")
        _verified[key] = True
    return path


def data_dir():
    """The offline mirror named by ``$VAE_DATA_DIR`` as a Path, or None when unset.

    Raises DataNotFoundError when the variable names a folder that does not exist.
    """
    value = os.environ.get("VAE_DATA_DIR")
    if not value:
        return None
    folder = Path(value).expanduser()
    if not folder.is_dir():
        raise DataNotFoundError(
            f"VAE_DATA_DIR={value!r} is not a folder. Point it at the offline data mirror "
            "(the folder that holds SHA256SUMS), or unset it to use the Keras cache.")
    return folder


def cache_dir():
    """Where downloaded files live: ``$KERAS_HOME/datasets/vae-course`` (``~/.keras`` default)."""
    return keras_home() / "datasets" / CACHE_SUBDIR


def _local_copy(name):
    """The first existing copy of ``name`` in $VAE_DATA_DIR or the cache, else None."""
    for folder in (data_dir(), cache_dir()):
        if folder is not None and (folder / name).is_file():
            return folder / name
    return None


def get_path(name):
    """Local path of the data file ``name`` (a key of FILES), checksum verified.

    Looks in $VAE_DATA_DIR, then the Keras cache, then downloads (unless VAE_OFFLINE=1).
    """
    if name not in FILES:
        raise ValueError(f"name={name!r}: expected one of {sorted(FILES)}")
    url, expected = FILES[name]
    local = _local_copy(name)
    if local is not None:
        return _verify(local, expected)
    if env_flag("VAE_OFFLINE"):
        raise DataNotFoundError(
            f"{name} is not available offline: looked in VAE_DATA_DIR="
            f"{os.environ.get('VAE_DATA_DIR', '(unset)')} and in {cache_dir()}, and downloads are "
            f"off (VAE_OFFLINE=1). Download it from {url} into one of those folders, or set "
            "VAE_DATA_DIR to the offline mirror.")
    import keras  # deferred: data loading itself needs no Keras

    target = cache_dir() / name
    try:
        downloaded = keras.utils.get_file(
            fname=target.name, origin=url, file_hash=expected, hash_algorithm="sha256",
            cache_dir=str(cache_dir().parent.parent),
            cache_subdir=str(Path("datasets", CACHE_SUBDIR, name).parent))
    except Exception as err:  # network errors come in many types; say what was tried
        raise DataNotFoundError(
            f"{name} could not be downloaded from {url} ({err}). Set VAE_DATA_DIR to a folder "
            "holding it (same layout as the offline mirror).") from err
    if expected is None:
        warnings.warn(f"{name}: no published SHA-256 to check; its SHA-256 is "
                      f"{sha256(downloaded)}", stacklevel=2)
    return _verify(Path(downloaded), expected)


# ---------------------------------------------------------------- images

def read_idx(path):
    """Read a gzip-compressed big-endian IDX file into a uint8 array of its stored shape."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != b"\x00\x00" or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {raw[:4].hex()})")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_mnist():
    """MNIST as ``((x_train, y_train), (x_test, y_test))``.

    x: (60000, 28, 28) / (10000, 28, 28) uint8 in [0, 255]; y: (60000,) / (10000,) uint8 in 0..9.
    Same arrays, in the same order, as ``keras.datasets.mnist.load_data()``.
    """
    files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    x_train, y_train, x_test, y_test = (read_idx(get_path(f"mnist/{f}")) for f in files)
    return (x_train, y_train), (x_test, y_test)


def read_amat(path):
    """Read a Larochelle ``.amat`` file: one image per line, 784 space-separated 0/1 digits.

    Returns (n, 784) uint8 in {0, 1}.
    """
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % 1568:
        raise ValueError(f"{path}: size {raw.size} is not a whole number of 1568-byte rows")
    return (raw.reshape(-1, 1568)[:, 0:1567:2] - ord("0")).astype(np.uint8)


def load_binarized_mnist():
    """Larochelle & Murray's statically binarized MNIST as ``(x_train, x_valid, x_test)``.

    Shapes (50000, 784), (10000, 784), (10000, 784); uint8 in {0, 1}; row-major 28x28.
    """
    return tuple(read_amat(get_path(f"binarized_mnist/binarized_mnist_{split}.amat"))
                 for split in ("train", "valid", "test"))


def load_frey_faces():
    """Brendan Frey's faces: (1965, 28, 20) uint8 in [0, 255] (pixel values 8..238)."""
    from scipy.io import loadmat

    ff = loadmat(get_path("frey_rawface.mat"))["ff"]  # (560, 1965), one face per column
    return np.ascontiguousarray(ff.T.reshape(-1, 28, 20))


FREY_HELD_OUT = 0.1
"""The fraction of Frey-face frames, at the end of the video, that :func:`frey_split` holds out."""


def frey_split():
    """The course's one Frey-face split: (train, held_out) images in [0, 1].

    Returns float32 (1769, 28, 20, 1) and (196, 28, 20, 1). The faces are consecutive
    frames of one video, so a random split would leave near-copies of every held-out face
    (its neighbouring frames) in the training set: the nearest training face of a held-out
    one would be a few frames away. The last ``FREY_HELD_OUT`` of the frames are held out
    instead (tests/test_data.py measures both).
    """
    faces = as_images(load_frey_faces())
    n_train = len(faces) - int(round(FREY_HELD_OUT * len(faces)))
    return faces[:n_train], faces[n_train:]


def as_images(x, dtype="float32"):
    """Scale uint8 images to [0, 1] and add a channel axis: (n, h, w) -> (n, h, w, 1)."""
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"x: expected (n, height, width) images, got shape {x.shape}")
    scale = 255.0 if x.dtype == np.uint8 else 1.0
    return (x.astype(dtype) / scale)[..., None]


# ---------------------------------------------------------------- household power

class DailyProfiles(NamedTuple):
    """Complete days of the UCI household: one 24-hour load profile per day.

    x: (days, 24) float32, hourly mean Global_active_power in kW (= kWh in that hour);
    dates: (days,) datetime64[D]; month: (days,) int, 1..12; weekday: (days,) int, 0 = Monday.
    """

    x: np.ndarray
    dates: np.ndarray
    month: np.ndarray
    weekday: np.ndarray


def daily_profiles(hours, kw, n_valid):
    """Group hourly values into complete days.

    hours: (n,) datetime64[h] hour starts; kw: (n,) hourly means; n_valid: (n,) valid
    minutes per hour. A day is kept when it has all 24 hours and every hour has at least
    one valid minute (the mirror README's rule: 1,417 days of the UCI data).
    """
    hours = np.asarray(hours, dtype="datetime64[h]")
    days = hours.astype("datetime64[D]")
    day_list, first = np.unique(days, return_index=True)
    counts = np.diff(np.append(first, len(days)))
    ok = np.array([c == 24 and np.all(n_valid[i:i + 24] > 0) for i, c in zip(first, counts)],
                  dtype=bool)
    x = np.stack([kw[i:i + 24] for i in first[ok]]).astype(np.float32)
    dates = day_list[ok]
    weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday (3)
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    return DailyProfiles(x, dates, month, weekday)


def _read_hourly_csv(path):
    """(hours datetime64[h], values float64) from a two-or-more-column hourly CSV."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))[1:]
    hours = np.array([r[0][:13] for r in rows], dtype="datetime64[h]")
    return hours, np.array([float(r[1]) for r in rows])


def hourly_from_csvs(mean_path, gap_sum_path):
    """Hourly (hours, kW mean, valid minutes) from the mirror's two hourly CSVs.

    n_valid = round(sum / mean) where the sum is positive, else 0 (see the mirror README).
    """
    hours, kw = _read_hourly_csv(mean_path)
    hours_s, kw_sum = _read_hourly_csv(gap_sum_path)
    if not np.array_equal(hours, hours_s):
        raise ValueError(f"{mean_path} and {gap_sum_path} have different hours")
    with np.errstate(divide="ignore", invalid="ignore"):
        n_valid = np.where(kw_sum > 0, np.round(kw_sum / kw), 0).astype(np.int64)
    return hours, kw, n_valid


def hourly_from_uci_zip(zip_path):
    """Hourly (hours, kW mean, valid minutes) from the UCI one-minute zip.

    The zip holds ``household_power_consumption.txt``: ``Date;Time;Global_active_power;...``
    with dates d/m/yyyy and ``?`` for missing readings. Hours with no valid minute get NaN.
    """
    with zipfile.ZipFile(zip_path) as zf, zf.open("household_power_consumption.txt") as f:
        rows = csv.reader(io.TextIOWrapper(f, encoding="ascii"), delimiter=";")
        next(rows)  # header
        stamps, values = [], []
        for date, time, power, *_ in rows:
            d, m, y = date.split("/")
            stamps.append(f"{y}-{int(m):02d}-{int(d):02d}T{time[:2]}")
            values.append(np.nan if power == "?" else float(power))
    minute_hours = np.array(stamps, dtype="datetime64[h]")
    values = np.array(values)
    hours = np.arange(minute_hours.min(), minute_hours.max() + 1)
    index = (minute_hours - hours[0]).astype(np.int64)
    valid = ~np.isnan(values)
    n_valid = np.bincount(index[valid], minlength=len(hours))
    total = np.bincount(index[valid], weights=values[valid], minlength=len(hours))
    with np.errstate(invalid="ignore"):
        kw = np.where(n_valid > 0, total / np.maximum(n_valid, 1), np.nan)
    return hours, kw, n_valid


def load_household_power():
    """Daily 24-hour load profiles of the UCI household (Sceaux, Dec 2006 - Nov 2010).

    Returns :class:`DailyProfiles` for the 1,417 complete days. Reads the mirror's two
    hourly CSVs when they are present, otherwise the canonical UCI zip (one-minute
    readings), aggregated here to the same hourly means and valid-minute counts.
    """
    mean_csv = "smart-meter/household_power_consumption_hourly_mean.csv"
    sum_csv = "smart-meter/household_power_consumption_hourly_gap_sum.csv"
    if _local_copy(mean_csv) and _local_copy(sum_csv):
        hourly = hourly_from_csvs(get_path(mean_csv), get_path(sum_csv))
    else:
        hourly = hourly_from_uci_zip(get_path(_UCI_POWER_ZIP))
    return daily_profiles(*hourly)

