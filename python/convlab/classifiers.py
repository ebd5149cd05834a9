"""cs231n's models (classifiers/cnn.py, classifiers/fc_net.py) as convlab
models: the same constructor arguments, a `params` dict of arrays by cs231n
name (W1, b1, gamma1, ...) and `loss(X, y=None)`. The network runs in
convlab (models/); its parameters live in convlab's memory, and `params`
reads and writes them in place, so the notebooks' numerical gradient checks
(which nudge model.params[name] in place) and cs231n's own Solver (which
assigns model.params[name]) both work.

Initial weights are drawn by convlab from a seed taken from np.random, so
np.random.seed(...) before the constructor makes them repeatable.
Extra keyword argument: device ("cpu" or "cuda")."""

import json
from collections.abc import MutableMapping

import numpy as np

from . import _convlab
from ._arrays import device_arg, labels

__all__ = ["ThreeLayerConvNet", "FullyConnectedNet"]


def _dtype_name(dtype):
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise TypeError(f"dtype: expected np.float32 or np.float64, got {dt}")
    return dt.name


class ParamDict(MutableMapping):
    """The model's parameters by name. Reading gives an array over the
    model's memory; assigning copies the value into it (same shape)."""

    def __init__(self, native):
        self._native = native

    def __getitem__(self, name):
        params = self._native.params()
        if name not in params:
            raise KeyError(f"no parameter {name!r} (the model has {', '.join(sorted(params))})")
        return params[name]

    def __setitem__(self, name, value):
        target = self[name]
        if not isinstance(target, np.ndarray):
            raise TypeError(f"params[{name!r}]: assigning parameters of a model on the GPU is not supported")
        value = np.asarray(value)
        if value.shape != target.shape:
            raise ValueError(f"params[{name!r}]: expected shape {target.shape}, got {value.shape}")
        np.copyto(target, value, casting="same_kind")

    def __delitem__(self, name):
        raise TypeError("a model's parameters cannot be removed")

    def __iter__(self):
        return iter(sorted(self._native.params()))

    def __len__(self):
        return len(self._native.params())

    def __repr__(self):
        return "{" + ", ".join(f"{k!r}: array{tuple(v.shape)}" for k, v in self._native.params().items()) + "}"


class Model:
    """A convlab model built from its config section (docs/config.md)."""

    def __init__(self, spec, device=None):
        self.spec = dict(spec)
        seed = int(np.random.randint(0, 2**31 - 1))
        self._native = _convlab.build_model(json.dumps(self.spec), seed)
        dev = device_arg(device)
        if dev:
            self._native.to(dev)
        self.dtype = np.dtype(self.spec.get("dtype", "float32"))
        self.reg = float(self.spec.get("reg", 0.0))
        self.params = ParamDict(self._native)

    @property
    def device(self):
        return self._native.device

    def loss(self, X, y=None):
        """Without y: the class scores (test mode). With y: (loss, grads),
        the loss with its L2 penalty and the gradient of every parameter."""
        numpy_in = isinstance(X, np.ndarray) or not hasattr(X, "__dlpack__")
        if numpy_in:
            X = np.ascontiguousarray(X, dtype=self.dtype)
        if y is None:
            return self._native.scores(X)
        loss = self._native.loss(X, labels(y))
        grads = self._native.grads()
        if numpy_in:  # NumPy in, NumPy out, wherever the model runs
            grads = {k: v if isinstance(v, np.ndarray) else _convlab.to_device(v, "cpu") for k, v in grads.items()}
        return loss, grads

    def save(self, path):
        """The parameters (and batchnorm running statistics) as a safetensors
        file (safetensors.numpy.load_file reads it)."""
        self._native.save(str(path))

    def plan(self):
        """Which op and kernel variant runs for each layer."""
        return list(self._native.plan())


class ThreeLayerConvNet(Model):
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax."""

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100, num_classes=10,
                 weight_scale=1e-3, reg=0.0, dtype=np.float32, *, device=None, fusion=True):
        super().__init__({
            "type": "three_layer_convnet", "input_dim": [int(d) for d in input_dim], "num_filters": int(num_filters),
            "filter_size": int(filter_size), "hidden_dim": int(hidden_dim), "num_classes": int(num_classes),
            "weight_scale": float(weight_scale), "reg": float(reg), "dtype": _dtype_name(dtype), "fusion": bool(fusion),
        }, device)


class FullyConnectedNet(Model):
    """{affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax."""

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1, normalization=None,
                 reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None, *, device=None):
        spec = {
            "type": "fc_net", "hidden_dims": [int(d) for d in hidden_dims], "input_dim": int(input_dim),
            "num_classes": int(num_classes), "dropout_keep_ratio": float(dropout_keep_ratio),
            "normalization": normalization or "none", "reg": float(reg), "weight_scale": float(weight_scale),
            "dtype": _dtype_name(dtype),
        }
        if seed is not None:
            spec["seed"] = int(seed)
        super().__init__(spec, device)
        self.num_layers = 1 + len(hidden_dims)
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
