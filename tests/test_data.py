"""Loaders on the offline mirror, checksum and missing-file errors, and the UCI zip path."""

import zipfile

import numpy as np
import pytest
from scipy.spatial import cKDTree

from vae import data

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_mnist_shapes_labels_and_ranges():
    (x, y), (xt, yt) = data.load_mnist()
    assert x.shape == (60000, 28, 28) and xt.shape == (10000, 28, 28)
    assert x.dtype == np.uint8 and y.dtype == np.uint8
    assert x.min() == 0 and x.max() == 255
    assert np.bincount(y).tolist() == MNIST_TRAIN_COUNTS
    assert np.bincount(yt).tolist() == MNIST_TEST_COUNTS


def test_binarized_mnist_splits_are_binary():
    train, valid, test = data.load_binarized_mnist()
    assert (train.shape, valid.shape, test.shape) == ((50000, 784), (10000, 784), (10000, 784))
    assert set(np.unique(test)) == {0, 1}
    assert 0.12 < train.mean() < 0.14  # the README's "about 0.131"


def test_frey_faces_shape_and_range():
    faces = data.load_frey_faces()
    assert faces.shape == (1965, 28, 20) and faces.dtype == np.uint8
    assert faces.min() == 8 and faces.max() == 238
    assert abs(faces.mean() - 154.46) < 0.01


def test_household_power_has_the_1417_complete_days():
    days = data.load_household_power()
    assert days.x.shape == (1417, 24) and days.x.dtype == np.float32
    assert np.bincount(days.month, minlength=13)[1:].tolist() == [
        121, 113, 122, 117, 124, 117, 123, 117, 116, 124, 115, 108]
    assert np.bincount(days.weekday).tolist() == [203, 203, 204, 203, 204, 200, 200]
    assert str(days.dates[0]) == "2006-12-17" and str(days.dates[-1]) == "2010-11-25"
    assert np.datetime64("2007-04-28") not in days.dates  # UCI's example of a missing day
    assert 0.12 < days.x.min() and days.x.max() < 6.6


def test_frey_split_holds_out_the_last_frames_so_no_neighbour_frame_leaks():
    train, held_out = data.frey_split()
    faces = data.as_images(data.load_frey_faces())
    assert train.shape == (1769, 28, 20, 1) and held_out.shape == (196, 28, 20, 1)
    np.testing.assert_array_equal(np.concatenate([train, held_out]), faces)

    def median_frame_gap(train_frames, held_frames):
        """Median distance in frames from each held-out face to its nearest training face."""
        flat = faces.reshape(len(faces), -1)
        nearest = cKDTree(flat[train_frames]).query(flat[held_frames])[1]
        return np.median(np.abs(train_frames[nearest] - held_frames))

    frames = np.arange(len(faces))
    shuffled = np.random.default_rng(0).permutation(frames)
    assert median_frame_gap(np.sort(shuffled[196:]), shuffled[:196]) <= 5   # a random split leaks
    assert median_frame_gap(frames[:1769], frames[1769:]) > 50


def test_as_images_scales_and_adds_a_channel():
    images = data.as_images(np.array([[[0, 255]]], dtype=np.uint8))
    assert images.shape == (1, 1, 2, 1) and images.dtype == np.float32
    assert images.max() == 1.0
    with pytest.raises(ValueError, match="x"):
        data.as_images(np.zeros((2, 784)))


# ---------------------------------------------------------------- errors

NAME = "mnist/t10k-labels-idx1-ubyte.gz"


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    return tmp_path


def test_corrupted_copy_raises_checksum_error_and_is_not_parsed(empty_cache, monkeypatch):
    mirror = empty_cache / "mirror"
    (mirror / "mnist").mkdir(parents=True)
    for name in data.FILES:
        if name.startswith("mnist/"):
            (mirror / name).write_bytes(data.get_path(name).read_bytes())
    original = (mirror / NAME).read_bytes()
    (mirror / NAME).write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    monkeypatch.setenv("VAE_DATA_DIR", str(mirror))
    with pytest.raises(data.ChecksumError, match="SHA-256"):
        data.get_path(NAME)
    parsed = []
    read_idx = data.read_idx
    monkeypatch.setattr(data, "read_idx", lambda path: parsed.append(path) or read_idx(path))
    for corrupt in (original[:-1] + bytes([original[-1] ^ 1]), b""):  # flipped bit, truncated
        (mirror / NAME).write_bytes(corrupt)
        parsed.clear()
        with pytest.raises(data.ChecksumError):
            data.load_mnist()
        assert len(parsed) == 3 and mirror / NAME not in parsed   # the intact files were read


def test_missing_data_directory_is_a_clear_error(empty_cache, monkeypatch):
    monkeypatch.setenv("VAE_DATA_DIR", str(empty_cache / "no-such-folder"))
    with pytest.raises(data.DataNotFoundError, match="VAE_DATA_DIR"):
        data.load_frey_faces()


def test_missing_file_offline_names_file_url_and_variable(empty_cache, monkeypatch):
    (empty_cache / "mirror").mkdir()
    monkeypatch.setenv("VAE_DATA_DIR", str(empty_cache / "mirror"))
    with pytest.raises(data.DataNotFoundError) as err:
        data.get_path("frey_rawface.mat")
    message = str(err.value)
    assert "frey_rawface.mat" in message and "VAE_DATA_DIR" in message
    assert data.FILES["frey_rawface.mat"][0] in message


def test_unknown_file_name_is_a_value_error():
    with pytest.raises(ValueError, match="name"):
        data.get_path("mnist.npz")


# ---------------------------------------------------------------- UCI zip == hourly CSVs

HEADER = ("Date;Time;Global_active_power;Global_reactive_power;Voltage;Global_intensity;"
          "Sub_metering_1;Sub_metering_2;Sub_metering_3")


def _minute_rows(rng):
    """One-minute readings from 2007-01-01 22:30 to 2007-01-05 00:14 (UCI layout).

    Day 2 has one hour with no valid minute (dropped); day 3 misses a few minutes (kept).
    """
    start = np.datetime64("2007-01-01T22:30")
    minutes = start + np.arange(int((np.datetime64("2007-01-05T00:15") - start)
                                    / np.timedelta64(1, "m")))
    power = np.round(rng.uniform(0.2, 5.0, len(minutes)), 3).astype(object)
    hour = minutes.astype("datetime64[h]")
    power[hour == np.datetime64("2007-01-02T13")] = None
    power[(minutes >= np.datetime64("2007-01-03T08:10")) &
          (minutes < np.datetime64("2007-01-03T08:50"))] = None
    return minutes, power


def _write_uci_zip(path, minutes, power):
    lines = [HEADER]
    for m, p in zip(minutes, power):
        d = m.astype(object)
        date = f"{d.day}/{d.month}/{d.year}"
        value = "?" if p is None else f"{p:.3f}"
        rest = "?;?;?;?;?;?" if p is None else "0.1;240.0;1.0;0.0;0.0;0.0"
        lines.append(f"{date};{d:%H:%M:%S};{value};{rest}")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("household_power_consumption.txt", "\n".join(lines) + "\n")


def _write_hourly_csvs(folder, minutes, power):
    """The mirror's two CSVs, computed independently with plain Python dicts."""
    sums, counts = {}, {}
    for m, p in zip(minutes, power):
        key = str(m.astype("datetime64[h]")).replace("T", " ") + ":00:00"
        sums.setdefault(key, 0.0)
        counts.setdefault(key, 0)
        if p is not None:
            sums[key] += p
            counts[key] += 1
    mean_lines = ["Datetime,Global_active_power,Global_reactive_power,Voltage,"
                  "Global_intensity,Sub_metering_1,Sub_metering_2,Sub_metering_3"]
    sum_lines = ["datetime,Global_active_power"]
    for key in sums:
        mean = sums[key] / counts[key] if counts[key] else 1.234  # the mirror interpolates
        mean_lines.append(f"{key},{mean!r},0.1,240.0,1.0,0.0,0.0,0.0")
        sum_lines.append(f"{key},{sums[key]!r}")
    (folder / "mean.csv").write_text("\n".join(mean_lines) + "\n")
    (folder / "sum.csv").write_text("\n".join(sum_lines) + "\n")


def test_uci_zip_and_hourly_csvs_give_the_same_days(tmp_path, monkeypatch):
    minutes, power = _minute_rows(np.random.default_rng(0))
    (tmp_path / "smart-meter").mkdir()
    zip_path = tmp_path / "smart-meter" / "household_power_consumption.zip"
    _write_uci_zip(zip_path, minutes, power)
    _write_hourly_csvs(tmp_path, minutes, power)

    from_zip = data.daily_profiles(*data.hourly_from_uci_zip(zip_path))
    from_csv = data.daily_profiles(*data.hourly_from_csvs(tmp_path / "mean.csv",
                                                          tmp_path / "sum.csv"))
    expected_days = np.array(["2007-01-03", "2007-01-04"], dtype="datetime64[D]")
    np.testing.assert_array_equal(from_zip.dates, expected_days)
    np.testing.assert_array_equal(from_csv.dates, expected_days)
    np.testing.assert_allclose(from_zip.x, from_csv.x, rtol=1e-6)
    day3 = np.array([p for m, p in zip(minutes, power)
                     if m.astype("datetime64[D]") == expected_days[0]], dtype=object)
    first_hour = day3[:60].astype(float)
    assert from_zip.x[0, 0] == pytest.approx(first_hour.mean(), rel=1e-6)
    assert from_zip.weekday.tolist() == [2, 3] and from_zip.month.tolist() == [1, 1]

    # Without the hourly CSVs the loader reads the zip.
    monkeypatch.setenv("VAE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    np.testing.assert_array_equal(data.load_household_power().x, from_zip.x)
