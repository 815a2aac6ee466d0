"""vae.recipes: the cache writes only under $KERAS_HOME, reloads instead of retraining,
and the same seed gives the same weights."""

import numpy as np
import pytest

from vae import recipes


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    return tmp_path


@pytest.mark.slow
def test_load_or_train_caches_under_keras_home_and_reloads(keras_home, monkeypatch):
    model, history = recipes.load_or_train("vae_frey_2d", epochs=2, smoke=True, progress=False)
    path = keras_home / "vae-course-models" / "vae_frey_2d-seed0-2ep-smoke.keras"
    assert recipes.cache_path("vae_frey_2d", epochs=2, smoke=True) == path
    assert sorted(p.name for p in path.parent.iterdir()) == [path.with_suffix(".json").name,
                                                             path.name]
    assert set(history) == {"loss", "reconstruction", "kl", "val_loss", "val_reconstruction",
                            "val_kl"} and len(history["loss"]) == 2

    def no_training(*args, **kwargs):
        raise AssertionError("cached model was retrained")

    monkeypatch.setattr(recipes, "train", no_training)
    again, history_again = recipes.load_or_train("vae_frey_2d", epochs=2, smoke=True)
    assert history_again == history
    for a, b in zip(model.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_same_seed_same_weights_other_seed_differs(keras_home):
    runs = [recipes.train("vae_frey_2d", seed=s, epochs=1, smoke=True, progress=False)[0]
            for s in (0, 0, 1)]
    weights = [np.concatenate([w.ravel() for w in m.get_weights()]) for m in runs]
    np.testing.assert_allclose(weights[0], weights[1], rtol=1e-5, atol=1e-6)
    assert not np.allclose(weights[0], weights[2])


def test_unknown_recipe_is_a_value_error(keras_home):
    with pytest.raises(ValueError, match="name='vae_cifar'"):
        recipes.load_or_train("vae_cifar", smoke=True)
