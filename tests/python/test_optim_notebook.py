"""The update-rule checks of the FullyConnectedNets notebook against convlab.optim."""

import numpy as np
from conftest import rel_error

from convlab.optim import adam, rmsprop, sgd, sgd_momentum

N, D = 4, 5


def inputs():
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    return w, dw


def test_sgd_momentum():
    w, dw = inputs()
    v = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    next_w, config = sgd_momentum(w, dw, {"learning_rate": 1e-3, "velocity": v})
    # velocity = 0.9 v - lr dw; w + velocity, from the notebook's formula
    expected_velocity = 0.9 * v - 1e-3 * dw
    assert rel_error(config["velocity"], expected_velocity) < 1e-8
    assert rel_error(next_w, w + expected_velocity) < 1e-8
    assert abs(next_w[0, 0] - 0.1406) < 1e-8 and abs(next_w[0, 1] - 0.20738947) < 1e-8


def test_rmsprop():
    w, dw = inputs()
    cache = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    next_w, config = rmsprop(w, dw, {"learning_rate": 1e-2, "cache": cache})
    assert abs(next_w[0, 0] - (-0.39223849)) < 1e-8
    expected_cache = 0.99 * cache + 0.01 * dw**2
    assert rel_error(config["cache"], expected_cache) < 1e-8
    assert rel_error(next_w, w - 1e-2 * dw / (np.sqrt(expected_cache) + 1e-8)) < 1e-8


def test_adam():
    w, dw = inputs()
    m = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    v = np.linspace(0.7, 0.5, num=N * D).reshape(N, D)
    next_w, config = adam(w, dw, {"learning_rate": 1e-2, "m": m, "v": v, "t": 5})
    assert config["t"] == 6
    assert abs(next_w[0, 0] - (-0.40094747)) < 1e-8
    expected_m = 0.9 * m + 0.1 * dw
    expected_v = 0.999 * v + 0.001 * dw**2
    assert rel_error(config["m"], expected_m) < 1e-8
    assert rel_error(config["v"], expected_v) < 1e-8
    mt, vt = expected_m / (1 - 0.9**6), expected_v / (1 - 0.999**6)
    assert rel_error(next_w, w - 1e-2 * mt / (np.sqrt(vt) + 1e-8)) < 1e-8


def test_defaults_and_state_created():
    w, dw = inputs()
    next_w, config = sgd(w, dw)
    assert rel_error(next_w, w - 1e-2 * dw) < 1e-12
    _, config = adam(w, dw)
    assert config["t"] == 1 and config["m"].shape == w.shape and config["learning_rate"] == 1e-3
    # the caller's arrays are not written
    w0 = w.copy()
    sgd_momentum(w, dw, {})
    assert np.array_equal(w, w0)
