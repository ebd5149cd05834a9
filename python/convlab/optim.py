"""cs231n's optim.py on convlab's update kernels (host/ops/optim/): each rule
takes (w, dw, config) and returns (next_w, config), keeping its state
(velocity, cache, m, v, t) in the config dict under cs231n's keys, with
cs231n's defaults. Keyword arguments device and variant as in convlab.layers."""


from . import _convlab
from ._arrays import array, device_arg

__all__ = ["sgd", "sgd_momentum", "rmsprop", "adam"]


def _step(rule, w, dw, config, s1_key, s2_key, t, device, variant):
    w = array(w, "w")
    s1 = config.get(s1_key) if s1_key else None
    s2 = config.get(s2_key) if s2_key else None
    next_w, s1, s2 = _convlab.optim_step(
        w, array(dw, "dw"), None if s1 is None else array(s1, s1_key), None if s2 is None else array(s2, s2_key),
        rule, float(config["learning_rate"]), float(config.get("momentum", 0.9)),
        float(config.get("decay_rate", 0.99)), float(config.get("beta1", 0.9)), float(config.get("beta2", 0.999)),
        float(config.get("epsilon", 1e-8)), int(t), device_arg(device), variant or "")
    if s1_key:
        config[s1_key] = s1
    if s2_key:
        config[s2_key] = s2
    return next_w, config


def sgd(w, dw, config=None, *, device=None, variant=None):
    """w -= learning_rate * dw (learning_rate 1e-2)."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return _step("sgd", w, dw, config, None, None, 1, device, variant)


def sgd_momentum(w, dw, config=None, *, device=None, variant=None):
    """v = momentum * v - learning_rate * dw; w += v (learning_rate 1e-2,
    momentum 0.9, velocity zeros)."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    return _step("sgd_momentum", w, dw, config, "velocity", None, 1, device, variant)


def rmsprop(w, dw, config=None, *, device=None, variant=None):
    """RMSProp (learning_rate 1e-2, decay_rate 0.99, epsilon 1e-8, cache zeros)."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    return _step("rmsprop", w, dw, config, "cache", None, 1, device, variant)


def adam(w, dw, config=None, *, device=None, variant=None):
    """Adam with bias correction (learning_rate 1e-3, beta1 0.9, beta2 0.999,
    epsilon 1e-8, m and v zeros, t 0); t counts the steps taken."""
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("t", 0)
    t = int(config["t"]) + 1
    next_w, config = _step("adam", w, dw, config, "m", "v", t, device, variant)
    config["t"] = t
    return next_w, config
