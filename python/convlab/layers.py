"""cs231n's layers.py on convlab's kernels: the same functions, arguments,
parameter dicts and return values, so that `from convlab.layers import *`
replaces `from cs231n.layers import *`.

Every function takes float32 or float64 arrays (the notebooks use float64) and
two keyword arguments the notebooks never pass:
  device   "cpu", "cuda" or None: where the op runs (None: convlab.set_device's
           choice, else where the inputs are). NumPy in, NumPy out on either.
  variant  which of the op's kernels runs (None: the device's default; see
           convlab.variants(op)). The *_naive functions run the plain kernel:
           the CPU reference ("reference") or the CUDA "naive" kernel.
A forward's cache is an opaque object for the matching backward.
"""

import numpy as np

from . import _convlab
from ._arrays import INT32_MAX, Cache, array, cache_of, device_arg, integer, labels, param, required

__all__ = [
    "affine_forward", "affine_backward", "relu_forward", "relu_backward",
    "batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt",
    "layernorm_forward", "layernorm_backward", "dropout_forward", "dropout_backward",
    "conv_forward_naive", "conv_backward_naive", "max_pool_forward_naive", "max_pool_backward_naive",
    "spatial_batchnorm_forward", "spatial_batchnorm_backward",
    "spatial_groupnorm_forward", "spatial_groupnorm_backward", "svm_loss", "softmax_loss",
]


def _variant(variant):
    return variant or ""


def naive_variant(device, x):
    """The plain kernel of an op: the CPU reference, or CUDA's "naive"."""
    dev = device_arg(device)
    on_gpu = dev == "cuda" or (dev == "" and not isinstance(x, np.ndarray) and hasattr(x, "__dlpack__")
                               and x.__dlpack_device__()[0] == 2)
    return "naive" if on_gpu else "reference"


def affine_forward(x, w, b, *, device=None, variant=None):
    """out = x.reshape(N, D) @ w + b; returns (out, cache)."""
    out, c = _convlab.affine_forward(array(x, "x"), array(w, "w"), array(b, "b"), device_arg(device), _variant(variant))
    return out, Cache("affine", c)


def affine_backward(dout, cache, *, variant=None):
    """Returns (dx, dw, db)."""
    return _convlab.affine_backward(array(dout, "dout"), cache_of(cache, "affine"), _variant(variant))


def relu_forward(x, *, device=None, variant=None):
    out, c = _convlab.relu_forward(array(x, "x"), device_arg(device), _variant(variant))
    return out, Cache("relu", c)


def relu_backward(dout, cache, *, variant=None):
    return _convlab.relu_backward(array(dout, "dout"), cache_of(cache, "relu"), _variant(variant))


def _batchnorm_like(native, op, x, gamma, beta, bn_param, device, variant):
    mode = param(bn_param, "mode", required, op)
    eps = param(bn_param, "eps", 1e-5, op)
    momentum = param(bn_param, "momentum", 0.9, op)
    x = array(x, "x")
    running = []
    for key in ("running_mean", "running_var"):
        r = bn_param.get(key)
        running.append(None if r is None else array(np.asarray(r, dtype=x.dtype) if isinstance(x, np.ndarray) else r,
                                                    f"bn_param[{key!r}]"))
    out, c, rm, rv = native(x, array(gamma, "gamma"), array(beta, "beta"), mode, float(eps), float(momentum),
                            running[0], running[1], device_arg(device), _variant(variant))
    bn_param["running_mean"] = rm
    bn_param["running_var"] = rv
    return out, Cache(op, c)


def batchnorm_forward(x, gamma, beta, bn_param, *, device=None, variant=None):
    """Batch normalization of x (N, D). bn_param: mode ("train" or "test",
    required), eps (1e-5), momentum (0.9), running_mean and running_var (zeros
    when absent), which train mode replaces with the updated statistics."""
    return _batchnorm_like(_convlab.batchnorm_forward, "batchnorm", x, gamma, beta, bn_param, device, variant)


def batchnorm_backward(dout, cache, *, variant=None):
    """Returns (dx, dgamma, dbeta)."""
    return _convlab.batchnorm_backward(array(dout, "dout"), cache_of(cache, "batchnorm"), _variant(variant))


def batchnorm_backward_alt(dout, cache, *, variant=None):
    """The simplified closed form of batchnorm's backward pass."""
    return _convlab.batchnorm_backward_alt(array(dout, "dout"), cache_of(cache, "batchnorm"), _variant(variant))


def layernorm_forward(x, gamma, beta, ln_param, *, device=None, variant=None):
    """Layer normalization of x (N, D); ln_param: eps (1e-5)."""
    eps = param(ln_param, "eps", 1e-5, "layernorm_forward")
    out, c = _convlab.layernorm_forward(array(x, "x"), array(gamma, "gamma"), array(beta, "beta"), float(eps),
                                        device_arg(device), _variant(variant))
    return out, Cache("layernorm", c)


def layernorm_backward(dout, cache, *, variant=None):
    return _convlab.layernorm_backward(array(dout, "dout"), cache_of(cache, "layernorm"), _variant(variant))


def dropout_forward(x, dropout_param, *, device=None, variant=None):
    """Inverted dropout. dropout_param: p, the probability of keeping a unit
    (required); mode "train" or "test" (required); seed (drawn from
    np.random when absent, so np.random.seed fixes the masks)."""
    op = "dropout_forward"
    p = param(dropout_param, "p", required, op)
    mode = param(dropout_param, "mode", required, op)
    seed = param(dropout_param, "seed", None, op)
    seed = int(np.random.randint(0, 2**31 - 1)) if seed is None else integer(seed, f"{op}: dropout_param['seed']", 0,
                                                                                  2**64 - 1)
    out, c = _convlab.dropout_forward(array(x, "x"), mode, float(p), int(seed), device_arg(device), _variant(variant))
    return out, Cache("dropout", c)


def dropout_backward(dout, cache, *, variant=None):
    return _convlab.dropout_backward(array(dout, "dout"), cache_of(cache, "dropout"), _variant(variant))


def _int_params(params, keys, op, dict_name):
    return tuple(integer(param(params, k, required, op), f"{op}: {dict_name}[{k!r}]", -INT32_MAX, INT32_MAX)
                 for k in keys)


def conv_param_values(conv_param, op):
    """(stride, pad); convlab checks their values."""
    return _int_params(conv_param, ("stride", "pad"), op, "conv_param")


def pool_param_values(pool_param, op):
    """(pool_height, pool_width, stride); convlab checks their values."""
    return _int_params(pool_param, ("pool_height", "pool_width", "stride"), op, "pool_param")


def conv_forward(x, w, b, conv_param, *, device=None, variant=None):
    """Convolution of x (N, C, H, W) with w (F, C, HH, WW) and b (F,);
    conv_param: stride, pad. Returns (out, cache)."""
    stride, pad = conv_param_values(conv_param, "conv_forward")
    out, c = _convlab.conv_forward(array(x, "x"), array(w, "w"), array(b, "b"), stride, pad, device_arg(device),
                                   _variant(variant))
    return out, Cache("conv", c)


def conv_backward(dout, cache, *, variant=None):
    """Returns (dx, dw, db)."""
    return _convlab.conv_backward(array(dout, "dout"), cache_of(cache, "conv"), _variant(variant))


def conv_forward_naive(x, w, b, conv_param, *, device=None):
    """The plain convolution kernel (the CPU reference, or CUDA's "naive")."""
    return conv_forward(x, w, b, conv_param, device=device, variant=naive_variant(device, x))


def conv_backward_naive(dout, cache):
    return conv_backward(dout, cache, variant=_naive_of(cache))


def max_pool_forward(x, pool_param, *, device=None, variant=None):
    """Max pooling of x (N, C, H, W); pool_param: pool_height, pool_width, stride."""
    ph, pw, stride = pool_param_values(pool_param, "max_pool_forward")
    out, c = _convlab.max_pool_forward(array(x, "x"), ph, pw, stride, device_arg(device), _variant(variant))
    return out, Cache("max_pool", c)


def max_pool_backward(dout, cache, *, variant=None):
    return _convlab.max_pool_backward(array(dout, "dout"), cache_of(cache, "max_pool"), _variant(variant))


def max_pool_forward_naive(x, pool_param, *, device=None):
    return max_pool_forward(x, pool_param, device=device, variant=naive_variant(device, x))


def max_pool_backward_naive(dout, cache):
    return max_pool_backward(dout, cache, variant=_naive_of(cache))


def _naive_of(cache):
    return "naive" if isinstance(cache, Cache) and cache.native.device == "cuda" else "reference"


def spatial_batchnorm_forward(x, gamma, beta, bn_param, *, device=None, variant=None):
    """Batch normalization of x (N, C, H, W) per channel; bn_param as batchnorm_forward's."""
    return _batchnorm_like(_convlab.spatial_batchnorm_forward, "spatial_batchnorm", x, gamma, beta, bn_param, device,
                           variant)


def spatial_batchnorm_backward(dout, cache, *, variant=None):
    return _convlab.spatial_batchnorm_backward(array(dout, "dout"), cache_of(cache, "spatial_batchnorm"),
                                               _variant(variant))


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param, *, device=None, variant=None):
    """Group normalization of x (N, C, H, W) in G groups of channels; gamma
    and beta shaped (1, C, 1, 1) as in the notebook (or (C,)); gn_param: eps."""
    eps = param(gn_param, "eps", 1e-5, "spatial_groupnorm_forward")
    gamma_shape = np.shape(gamma)
    g = array(gamma, "gamma").reshape(-1)
    bt = array(beta, "beta").reshape(-1)
    G = integer(G, "spatial_groupnorm_forward: G", -INT32_MAX, INT32_MAX)
    out, c = _convlab.spatial_groupnorm_forward(array(x, "x"), g, bt, G, float(eps), device_arg(device),
                                                _variant(variant))
    return out, Cache("spatial_groupnorm", c, gamma_shape)


def spatial_groupnorm_backward(dout, cache, *, variant=None):
    """Returns (dx, dgamma, dbeta), dgamma and dbeta shaped as gamma was."""
    dx, dgamma, dbeta = _convlab.spatial_groupnorm_backward(array(dout, "dout"), cache_of(cache, "spatial_groupnorm"),
                                                            _variant(variant))
    if isinstance(dgamma, np.ndarray):
        dgamma, dbeta = dgamma.reshape(cache.extra), dbeta.reshape(cache.extra)
    return dx, dgamma, dbeta


def svm_loss(x, y, *, device=None, variant=None):
    """Multiclass SVM loss of scores x (N, C) and labels y (N,): (loss, dx)."""
    return _convlab.svm_loss(array(x, "x"), labels(y), device_arg(device), _variant(variant))


def softmax_loss(x, y, *, device=None, variant=None):
    """Softmax cross-entropy of scores x (N, C) and labels y (N,): (loss, dx)."""
    return _convlab.softmax_loss(array(x, "x"), labels(y), device_arg(device), _variant(variant))
