"""vae.recipes: the model cache is keyed by a fingerprint of everything that determines the
weights, survives damaged entries and concurrent trainings, writes only under $KERAS_HOME,
reloads instead of retraining, and the same seed gives the same weights.

Fast tests use ``TINY`` (tests/cache_worker.py, a 2-D dense VAE on Frey faces) and, where
only the cache logic is under test, ``untrained`` in place of ``recipes.train``; the tests
marked slow train for real.
"""

import dataclasses
import json
import os
import random
import re
import subprocess
import sys

import keras
import numpy as np
import pytest

from vae import data, models, recipes

from conftest import ROOT, load_script

worker = load_script("tests/cache_worker.py")
TINY = worker.TINY


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setitem(recipes.RECIPES, "tiny_frey", TINY)
    return tmp_path


def untrained(name, seed=0, epochs=None, smoke=True, progress=True):
    """Stand-in for ``recipes.train``: the recipe's model built on one face, not fitted."""
    model = recipes.build(name, seed)
    model(data.frey_split()[0][:1])
    model.optimizer.build(model.trainable_variables)
    untrained.calls += 1
    return model, {"loss": [float(untrained.calls)], "val_loss": [2.0]}


@pytest.fixture
def fake_training(monkeypatch):
    untrained.calls = 0
    monkeypatch.setattr(recipes, "train", untrained)
    return untrained


def no_training(*args, **kwargs):
    raise AssertionError("the cached model was retrained")


def cache_items(keras_home):
    """Names of everything in the cache folder, hidden temporary folders included."""
    return sorted(p.name for p in (keras_home / recipes.CACHE_SUBDIR).iterdir())


def same_weights(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights(),
                                                    strict=True))


# ---------------------------------------------------------------- fingerprint

def with_recipe(monkeypatch, **changes):
    monkeypatch.setitem(recipes.RECIPES, "tiny_frey", dataclasses.replace(TINY, **changes))


RECIPE_CHANGES = {
    "epochs": lambda mp: with_recipe(mp, epochs=2),
    "batch_size": lambda mp: with_recipe(mp, batch_size=128),
    "learning rate": lambda mp: with_recipe(mp, optimizer=lambda: keras.optimizers.Adam(5e-4)),
    "optimizer": lambda mp: with_recipe(mp, optimizer=lambda: keras.optimizers.RMSprop(1e-3)),
    "schedule": lambda mp: with_recipe(mp, optimizer=lambda: keras.optimizers.Adam(
        keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=100, decay_rate=0.9))),
    "architecture": lambda mp: with_recipe(mp, model=lambda seed: models.dense_vae(
        2, input_shape=(28, 20, 1), hidden=(32,), seed=seed)),
    "likelihood": lambda mp: with_recipe(mp, model=lambda seed: models.dense_vae(
        2, input_shape=(28, 20, 1), hidden=(16,), likelihood="gaussian_learned", seed=seed)),
    "data split": lambda mp: mp.setattr(data, "FREY_HELD_OUT", data.FREY_HELD_OUT + 0.05),
    "data values": lambda mp: with_recipe(mp, data=lambda: tuple(
        1 - x for x in data.frey_split())),
    "smoke subset": lambda mp: mp.setattr(recipes, "SMOKE_EXAMPLES", 1000),
}


def test_fingerprint_is_stable_and_leaves_random_state_and_names_alone(keras_home):
    def draws():
        return random.random(), np.random.rand(), float(keras.random.normal(()))

    keras.utils.set_random_seed(7)
    expected, uid = draws(), keras.backend.get_uid("dense")  # uid: Keras' count of Dense names
    keras.utils.set_random_seed(7)
    digest, inputs = recipes.fingerprint("tiny_frey", smoke=True)
    assert draws() == expected and keras.backend.get_uid("dense") == uid + 1
    models.conv_vae(4)  # more automatic layer names, another random state
    assert recipes.fingerprint("tiny_frey", smoke=True) == (digest, inputs)
    assert len(digest) == 64 and json.loads(json.dumps(inputs)) == inputs
    assert inputs["recipe"] == {"epochs": 1, "batch_size": 256}
    assert inputs["data"]["train"][0]["shape"] == [1769, 28, 20, 1]


@pytest.mark.parametrize("change", RECIPE_CHANGES)
def test_each_recipe_field_changes_the_fingerprint(keras_home, monkeypatch, change):
    smoke = change == "smoke subset"  # smoke mode trains 1 epoch whatever the recipe says
    before = recipes.fingerprint("tiny_frey", smoke=smoke)[0]
    RECIPE_CHANGES[change](monkeypatch)
    assert recipes.fingerprint("tiny_frey", smoke=smoke)[0] != before


def test_seed_epochs_and_smoke_arguments_change_the_entry(keras_home):
    paths = {recipes.cache_path("tiny_frey", seed=0, smoke=True),
             recipes.cache_path("tiny_frey", seed=1, smoke=True),
             recipes.cache_path("tiny_frey", seed=0, epochs=3, smoke=True),
             recipes.cache_path("tiny_frey", seed=0, smoke=False)}
    assert len(paths) == 4
    assert {p.parent.name.rsplit("-", 1)[0] for p in paths} == {
        "tiny_frey-seed0-1ep-smoke", "tiny_frey-seed1-1ep-smoke", "tiny_frey-seed0-3ep-smoke",
        "tiny_frey-seed0-1ep"}


def test_a_changed_recipe_never_loads_the_old_entry(keras_home, monkeypatch, fake_training):
    recipes.load_or_train("tiny_frey", smoke=True, progress=False)
    RECIPE_CHANGES["data split"](monkeypatch)
    recipes.load_or_train("tiny_frey", smoke=True, progress=False)
    assert fake_training.calls == 2 and len(cache_items(keras_home)) == 2


# ---------------------------------------------------------------- damaged entries

def truncate(entry):
    model = entry / recipes.MODEL_FILE
    model.write_bytes(model.read_bytes()[:model.stat().st_size // 2])


def not_a_keras_file(entry):
    """A model file that matches the card's SHA-256 but that Keras cannot read."""
    (entry / recipes.MODEL_FILE).write_bytes(b"not a zip file")
    card = json.loads((entry / recipes.CARD_FILE).read_text())
    card["model_file"]["sha256"] = data.sha256(entry / recipes.MODEL_FILE)
    (entry / recipes.CARD_FILE).write_text(json.dumps(card))


DAMAGE = {
    "truncated model": (truncate, "model.keras: SHA-256 differs"),
    "model deleted": (lambda e: (e / recipes.MODEL_FILE).unlink(), "model.keras: missing"),
    "card not JSON": (lambda e: (e / recipes.CARD_FILE).write_text("{"), "card.json: unreadable"),
    "model unreadable": (not_a_keras_file, "model.keras: Keras cannot load it"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_entry_is_retrained_with_a_warning(keras_home, monkeypatch, fake_training,
                                                     damage):
    recipes.load_or_train("tiny_frey", smoke=True, progress=False)
    entry = recipes.cache_path("tiny_frey", smoke=True).parent
    damage_entry, message = DAMAGE[damage]
    damage_entry(entry)
    with pytest.warns(recipes.CacheWarning, match=re.escape(f"{entry}/{message}")):
        _, history = recipes.load_or_train("tiny_frey", smoke=True, progress=False)
    assert fake_training.calls == 2 and history["loss"] == [2.0]
    monkeypatch.setattr(recipes, "train", no_training)
    assert recipes.load_or_train("tiny_frey", smoke=True, progress=False)[1] == history
    assert cache_items(keras_home) == [entry.name]


# ---------------------------------------------------------------- saving races

def test_the_loser_of_a_race_loads_the_winners_entry(keras_home, monkeypatch, capsys):
    """Another "process" saves the entry while this one trains: this one keeps that entry and
    returns its model and history, not its own."""
    def racing_train(*args):
        monkeypatch.setattr(recipes, "train", untrained)
        recipes.load_or_train(*args[:4])  # the winner
        own.extend(untrained(*args))
        return own

    untrained.calls, own = 0, []
    monkeypatch.setattr(recipes, "train", racing_train)
    model, history = recipes.load_or_train("tiny_frey", smoke=True)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("trained tiny_frey (seed 0, 1 epoch, smoke, fingerprint ")
    assert "saved to" in out[0] and "another process saved it first" in out[1]
    assert history["loss"] == [1.0]  # the winner's history, not this one's [2.0]
    monkeypatch.setattr(recipes, "train", no_training)
    cached, _ = recipes.load_or_train("tiny_frey", smoke=True, progress=False)
    assert same_weights(model, cached)
    assert not same_weights(model, own[0])
    entry = recipes.cache_path("tiny_frey", smoke=True).parent
    assert cache_items(keras_home) == [entry.name]
    assert sorted(p.name for p in entry.iterdir()) == ["card.json", "model.keras"]


@pytest.mark.slow
def test_two_processes_training_the_same_recipe_share_one_entry(keras_home, tmp_path):
    """Both processes train (a barrier inside ``train`` makes sure both missed the cache),
    one saves, the other loads that entry: same weights, one entry, no temporary files."""
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    outputs = [tmp_path / f"weights{i}.npz" for i in range(2)]
    env = {**os.environ, "KERAS_HOME": str(keras_home), "VAE_SMOKE": "1"}
    runs = [subprocess.Popen([sys.executable, str(ROOT / "tests" / "cache_worker.py"),
                              str(barrier), "2", str(out)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for out in outputs]
    results = [run.communicate(timeout=600) for run in runs]
    for run, (_, err) in zip(runs, results):
        assert run.returncode == 0, err
    lines = [out.strip().splitlines()[-1] for out, _ in results]
    assert sorted("another process saved it first" in line for line in lines) == [False, True]
    assert sum(", saved to " in line for line in lines) == 1, lines
    weights = [np.load(out) for out in outputs]
    assert all(np.array_equal(weights[0][k], weights[1][k]) for k in weights[0].files)
    [entry] = (keras_home / recipes.CACHE_SUBDIR).iterdir()
    assert sorted(p.name for p in entry.iterdir()) == ["card.json", "model.keras"]
    cached, _ = recipes.load_or_train("tiny_frey", smoke=True, progress=False)
    assert all(np.array_equal(w, weights[0][k]) for w, k in zip(cached.get_weights(),
                                                                weights[0].files, strict=True))


# ---------------------------------------------------------------- listing and clearing

def test_list_shows_each_entry_and_clear_deletes_by_recipe(keras_home, monkeypatch, capsys,
                                                           fake_training):
    recipes.load_or_train("tiny_frey", smoke=True, progress=False)
    monkeypatch.setitem(recipes.RECIPES, "other", TINY)
    recipes.load_or_train("other", seed=3, smoke=True, progress=False)
    cache = keras_home / recipes.CACHE_SUBDIR
    (cache / "tiny_frey-seed0-15ep.keras").write_bytes(b"an entry of the old layout")
    (cache / ".tmp-other-seed0-1ep-smoke-0123456789ab-x1y2").mkdir()
    (cache / "other-seed1-1ep-smoke-0123456789ab").mkdir()  # an entry without its card
    recipes.main(["list"])
    out = capsys.readouterr().out
    assert out.startswith(f"{cache}: 5 item(s), ")
    assert re.search(r"tiny_frey \(seed 0, 1 epoch, smoke, fingerprint \w{12}\); "
                     r"final loss 1, val_loss 2; vae ", out)
    assert re.search(r"other \(seed 3, 1 epoch, smoke, .*; final loss 2, val_loss 2", out)
    assert f"keras {keras.__version__}, {keras.backend.backend()} " in out
    assert "tiny_frey-seed0-15ep.keras  0.0 MB  a file of the old cache layout" in out
    assert "-x1y2  0.0 MB  temporary: a save in progress, or one that was interrupted" in out
    assert "-0123456789ab  0.0 MB  damaged (no readable card.json): load_or_train retrains" in out
    recipes.main(["clear", "--name", "nothing_like_it"])
    assert len(cache_items(keras_home)) == 5
    recipes.main(["clear", "--name", "other"])
    assert "3 item(s) deleted" in capsys.readouterr().out
    assert [n.split("-")[0] for n in cache_items(keras_home)] == ["tiny_frey", "tiny_frey"]
    recipes.main(["clear"])
    assert cache_items(keras_home) == []


@pytest.mark.slow
def test_python_dash_m_lists_the_cache(keras_home):
    result = subprocess.run([sys.executable, "-m", "vae.recipes", "list"], capture_output=True,
                            text=True, env={**os.environ, "KERAS_HOME": str(keras_home)},
                            check=True)
    assert result.stdout == f"{keras_home / recipes.CACHE_SUBDIR}: 0 item(s), 0.0 MB\n"


# ---------------------------------------------------------------- real training

@pytest.mark.slow
def test_load_or_train_caches_under_keras_home_and_reloads(keras_home, monkeypatch, capsys):
    model, history = recipes.load_or_train("vae_frey_2d", epochs=2, smoke=True)
    path = recipes.cache_path("vae_frey_2d", epochs=2, smoke=True)
    entry = path.parent
    assert path.name == "model.keras" and entry.parent == keras_home / "vae-course-models"
    assert entry.name.startswith("vae_frey_2d-seed0-2ep-smoke-")
    assert cache_items(keras_home) == [entry.name]
    assert sorted(p.name for p in entry.iterdir()) == ["card.json", "model.keras"]
    assert set(history) == {"loss", "reconstruction", "kl", "val_loss", "val_reconstruction",
                            "val_kl"} and len(history["loss"]) == 2
    card = json.loads((entry / "card.json").read_text())
    digest, inputs = recipes.fingerprint("vae_frey_2d", epochs=2, smoke=True)
    assert card["fingerprint"] == digest and entry.name.endswith(digest[:12])
    assert card["inputs"] == inputs and card["history"] == history
    assert card["final"] == {k: v[-1] for k, v in history.items()}
    assert card["model_file"]["sha256"] == data.sha256(path)
    assert card["versions"]["keras"] == keras.__version__
    assert (card["name"], card["seed"], card["epochs"], card["smoke"]) == ("vae_frey_2d", 0, 2,
                                                                           True)
    assert f"saved to {entry}" in capsys.readouterr().out

    monkeypatch.setattr(recipes, "train", no_training)
    again, history_again = recipes.load_or_train("vae_frey_2d", epochs=2, smoke=True)
    assert capsys.readouterr().out.strip() == (
        f"loaded vae_frey_2d (seed 0, 2 epochs, smoke, fingerprint {digest[:12]}) from {entry}")
    assert history_again == history and same_weights(model, again)


@pytest.mark.slow
def test_a_truncated_model_file_is_retrained(keras_home, monkeypatch):
    """The issue's case, with real training: the retrained entry has the same weights."""
    model, _ = recipes.load_or_train("tiny_frey", smoke=True, progress=False)
    entry = recipes.cache_path("tiny_frey", smoke=True).parent
    truncate(entry)
    with pytest.warns(recipes.CacheWarning,
                      match=re.escape(f"{entry}/model.keras: SHA-256 differs")):
        retrained, _ = recipes.load_or_train("tiny_frey", smoke=True, progress=False)
    for a, b in zip(model.get_weights(), retrained.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)  # same seed, same training
    monkeypatch.setattr(recipes, "train", no_training)
    cached, _ = recipes.load_or_train("tiny_frey", smoke=True, progress=False)
    assert same_weights(cached, retrained)


@pytest.mark.slow
def test_same_seed_same_weights_other_seed_differs(keras_home):
    runs = [recipes.train("vae_frey_2d", seed=s, epochs=1, smoke=True, progress=False)[0]
            for s in (0, 0, 1)]
    weights = [np.concatenate([w.ravel() for w in m.get_weights()]) for m in runs]
    np.testing.assert_allclose(weights[0], weights[1], rtol=1e-5, atol=1e-6)
    assert not np.allclose(weights[0], weights[2])


@pytest.mark.slow
def test_every_recipe_has_a_fingerprint_of_its_own(keras_home, monkeypatch):
    # The M1+M2 recipes' data are the codes of a trained M1: here the smoke M1's (one epoch),
    # not the full one (30 epochs); their fingerprints still differ by alpha and weight.
    for name, recipe in list(recipes.RECIPES.items()):
        if recipe.data is recipes.m1_codes:
            monkeypatch.setitem(recipes.RECIPES, name, dataclasses.replace(
                recipe, data=lambda smoke: recipes.m1_codes(True)))
    digests = {name: recipes.fingerprint(name, smoke=False)[0] for name in recipes.RECIPES}
    assert len(set(digests.values())) == len(digests)


def test_semi_supervised_split_is_ten_per_class_disjoint_and_fixed():
    (_, y), _ = data.load_mnist()
    labelled, unlabelled, validation = recipes.semi_supervised_split()
    assert np.array_equal(np.bincount(y[labelled], minlength=10), np.full(10, 10))
    assert len(labelled) + len(unlabelled) == len(y) - recipes.MNIST_VALIDATION
    assert len(np.union1d(labelled, unlabelled)) == len(y) - recipes.MNIST_VALIDATION
    assert np.array_equal(validation, np.arange(len(y) - recipes.MNIST_VALIDATION, len(y)))
    again = recipes.semi_supervised_split()
    other = recipes.semi_supervised_split(seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(again, (labelled, unlabelled, validation)))
    assert not np.array_equal(other[0], labelled)


@pytest.mark.slow
def test_an_m2_recipe_trains_on_mixed_batches_and_reloads(keras_home, monkeypatch):
    model, history = recipes.load_or_train("m2_mnist_100labels", smoke=True, progress=False)
    (x_l, _, x_u), _ = recipes.semi_supervised_mnist(smoke=True)
    assert (len(x_l), len(x_u)) == (100, recipes.SMOKE_EXAMPLES)
    assert (model.alpha, model.labelled_weight) == (10.0, 100 / recipes.SMOKE_EXAMPLES)
    assert set(history) == {"loss", "labelled", "unlabelled", "cross_entropy", "reconstruction",
                            "kl"}
    steps = recipes.SMOKE_EXAMPLES // recipes.RECIPES["m2_mnist_100labels"].batch_size
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == steps  # one epoch
    monkeypatch.setattr(recipes, "train", no_training)
    cached, _ = recipes.load_or_train("m2_mnist_100labels", smoke=True, progress=False)
    assert same_weights(cached, model)


def test_unknown_recipe_is_a_value_error(keras_home):
    with pytest.raises(ValueError, match="name='vae_cifar'"):
        recipes.load_or_train("vae_cifar", smoke=True)
