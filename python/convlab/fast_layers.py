"""cs231n's fast_layers.py on convlab's kernels: convolution and max pooling
with each device's fast default (CPU: blocked direct/Winograd/im2col kernels
over threads; CUDA: im2col + cuBLAS for conv, the argmax pool). The notebook's
im2col, strides and reshape names are aliases of the same functions, so code
that calls any of them runs here.
Keyword arguments device and variant as in convlab.layers."""

from .layers import conv_backward, conv_forward, max_pool_backward, max_pool_forward

__all__ = [
    "conv_forward_fast", "conv_backward_fast", "max_pool_forward_fast", "max_pool_backward_fast",
    "conv_forward_im2col", "conv_backward_im2col", "conv_forward_strides", "conv_backward_strides",
    "max_pool_forward_reshape", "max_pool_backward_reshape", "max_pool_forward_im2col", "max_pool_backward_im2col",
]

conv_forward_fast = conv_forward
conv_backward_fast = conv_backward
max_pool_forward_fast = max_pool_forward
max_pool_backward_fast = max_pool_backward

conv_forward_im2col = conv_forward
conv_backward_im2col = conv_backward
conv_forward_strides = conv_forward
conv_backward_strides = conv_backward
max_pool_forward_reshape = max_pool_forward
max_pool_backward_reshape = max_pool_backward
max_pool_forward_im2col = max_pool_forward
max_pool_backward_im2col = max_pool_backward
