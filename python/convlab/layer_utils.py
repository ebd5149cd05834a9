"""cs231n's layer_utils.py: the sandwich layers, each one convlab op chain
(conv_relu_pool: convlab's fused op on the CPU). Keyword argument device as
in convlab.layers."""

from . import _convlab
from ._arrays import Cache, array, cache_of, device_arg
from .layers import conv_param_values, pool_param_values

__all__ = [
    "affine_relu_forward", "affine_relu_backward", "conv_relu_forward", "conv_relu_backward",
    "conv_relu_pool_forward", "conv_relu_pool_backward",
]


def affine_relu_forward(x, w, b, *, device=None):
    """affine - relu; returns (out, cache)."""
    out, c = _convlab.affine_relu_forward(array(x, "x"), array(w, "w"), array(b, "b"), device_arg(device))
    return out, Cache("affine_relu", c)


def affine_relu_backward(dout, cache):
    """Returns (dx, dw, db)."""
    return _convlab.affine_relu_backward(array(dout, "dout"), cache_of(cache, "affine_relu"))


def conv_relu_forward(x, w, b, conv_param, *, device=None):
    stride, pad = conv_param_values(conv_param, "conv_relu_forward")
    out, c = _convlab.conv_relu_forward(array(x, "x"), array(w, "w"), array(b, "b"), stride, pad, device_arg(device))
    return out, Cache("conv_relu", c)


def conv_relu_backward(dout, cache):
    return _convlab.conv_relu_backward(array(dout, "dout"), cache_of(cache, "conv_relu"))


def conv_relu_pool_forward(x, w, b, conv_param, pool_param, *, device=None, variant=None):
    """conv - relu - max pool; returns (out, cache)."""
    stride, pad = conv_param_values(conv_param, "conv_relu_pool_forward")
    ph, pw, pstride = pool_param_values(pool_param, "conv_relu_pool_forward")
    out, c = _convlab.conv_relu_pool_forward(array(x, "x"), array(w, "w"), array(b, "b"), stride, pad, ph, pw, pstride,
                                             device_arg(device), variant or "")
    return out, Cache("conv_relu_pool", c)


def conv_relu_pool_backward(dout, cache, *, variant=None):
    return _convlab.conv_relu_pool_backward(array(dout, "dout"), cache_of(cache, "conv_relu_pool"), variant or "")
