"""Argument handling shared by the layer modules: the default device, arrays
handed to the extension module, labels, and the opaque caches."""

import numpy as np

from . import _convlab

_device = ""


def set_device(device):
    """Where the ops run when a call names no device: "cpu", "cuda" or None
    (where the inputs are). NumPy inputs give NumPy outputs on either device."""
    global _device
    if device not in (None, "", "cpu", "cuda"):
        raise ValueError(f'set_device: expected "cpu", "cuda" or None, got {device!r}')
    if device == "cuda" and not _convlab.cuda_available():
        raise ValueError('set_device("cuda"): convlab has no usable GPU here')
    _device = device or ""


def get_device():
    return _device or None


def device_arg(device):
    return _device if device is None else device


def array(x, name):
    """x as an array the extension accepts without a copy: NumPy arrays are
    made C-contiguous (a copy only when they are not); DLPack arrays on a GPU
    (CuPy, PyTorch) pass as they are. Python numbers and lists become float64."""
    if isinstance(x, np.ndarray):
        if x.dtype not in (np.float32, np.float64):
            raise TypeError(f"{name}: expected a float32 or float64 array, got {x.dtype}")
        return np.ascontiguousarray(x)
    if hasattr(x, "__dlpack__"):
        return x
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64))


def labels(y, name="y"):
    """Class labels as int32 (the notebooks' labels are int64)."""
    if hasattr(y, "__dlpack__") and not isinstance(y, np.ndarray):
        return y
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected integer class labels, got {y.dtype}")
    if y.size and (y.min() < np.iinfo(np.int32).min or y.max() > np.iinfo(np.int32).max):
        raise ValueError(f"{name}: labels outside the int32 range")
    return np.ascontiguousarray(y, dtype=np.int32)


class Cache:
    """A forward's cache: opaque, handed back to the matching backward."""

    __slots__ = ("op", "native", "extra")

    def __init__(self, op, native, extra=None):
        self.op = op
        self.native = native
        self.extra = extra

    def __repr__(self):
        return f"<convlab cache of {self.op} on {self.native.device}>"


def cache_of(cache, op):
    """The native cache of `op`'s forward, or a TypeError naming both ops."""
    if not isinstance(cache, Cache):
        raise TypeError(f"{op}_backward: expected the cache returned by {op}_forward, got {type(cache).__name__}")
    if cache.op != op:
        raise TypeError(f"{op}_backward: got the cache of {cache.op}_forward, expected that of {op}_forward")
    return cache.native


def param(params, key, default, op):
    """params[key] (a dict of the notebooks: conv_param, bn_param, ...)."""
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise TypeError(f"{op}: expected a dict of parameters, got {type(params).__name__}")
    if key in params:
        return params[key]
    if default is required:
        raise KeyError(f"{op}: the parameter dict has no key {key!r}")
    return default


def integer(value, name, lo, hi):
    """An integer parameter within [lo, hi], or a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name}: expected an integer, got {value!r}")
    if not lo <= int(value) <= hi:
        raise ValueError(f"{name}: {int(value)} is out of range [{lo}, {hi}]")
    return int(value)


INT32_MAX = 2**31 - 1
required = object()  # param()'s default for a key the dict must have
