"""convlab for Python: cs231n assignment 2's API on convlab's hand-written
CPU and CUDA kernels.

  from convlab.layers import *        # instead of: from cs231n.layers import *
  from convlab.fast_layers import *   # instead of: from cs231n.fast_layers import *
  from convlab.layer_utils import *
  from convlab import ThreeLayerConvNet, FullyConnectedNet, Solver
  convlab.train("configs/three_layer_one_epoch.json")

Arrays: NumPy float32/float64 in and out without copies; CUDA arrays of
CuPy or PyTorch through DLPack. convlab.set_device("cuda") runs the ops on the
GPU. Errors in arguments raise convlab.Error (a ValueError) with convlab's
message, TypeError or KeyError."""

import numpy as np

from . import _convlab
from ._arrays import get_device, set_device
from ._convlab import Error
from . import fast_layers, layer_utils, layers, optim
from .classifiers import FullyConnectedNet, ThreeLayerConvNet
from .solver import Solver
from .train import train

__version__ = "0.1.0"


def cuda_available():
    """True when convlab was built with CUDA and a GPU is usable."""
    return _convlab.cuda_available()


def to_device(array, device):
    """The array on a device: "cuda" gives a DLPack array on the GPU, which
    every op takes and returns without copies (torch.from_dlpack and
    cupy.from_dlpack read it); "cpu" gives a NumPy array."""
    if isinstance(array, np.ndarray) or not hasattr(array, "__dlpack__"):
        array = np.ascontiguousarray(array)  # float32/64, int32 and uint8 arrays (the module checks)
    return _convlab.to_device(array, device)


def set_num_threads(n):
    """The number of threads convlab's CPU ops use (default: every core)."""
    _convlab.set_num_threads(int(n))


def get_num_threads():
    return _convlab.get_num_threads()


def variants(op, device="cpu"):
    """The kernel variants of an op on a device, and the default: (names, default)."""
    names, default = _convlab.variants(op, device)
    return list(names), default


def set_precision(precision):
    """The math of the GPU's convs and affine layers from now on, as a run
    config's "precision": "fp32" (default), or "tf32" / "bf16": float32
    arrays multiplied on tensor cores with TF32 or BF16 operands and float32
    accumulation (the *_fast layers, the models and Solver). Float64 arrays
    need "fp32"."""
    _convlab.set_precision(str(precision))


def get_precision():
    return _convlab.get_precision()


__all__ = ["Error", "FullyConnectedNet", "Solver", "ThreeLayerConvNet", "cuda_available", "fast_layers", "get_device",
           "get_num_threads", "get_precision", "layer_utils", "layers", "optim", "set_device", "set_num_threads",
           "set_precision", "to_device", "train", "variants"]
