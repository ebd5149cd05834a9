"""Helpers of the convlab package's tests: the notebooks' error measure and
numerical gradients (centred differences), written for these tests."""

import numpy as np
import pytest


def rel_error(x, y):
    """The notebooks' relative error: max |x - y| / max(1e-8, |x| + |y|)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def numerical_gradient(f, x, h=1e-5):
    """Gradient of the scalar f() with respect to the array x (changed in
    place and restored), by centred differences."""
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f(x)
        x[i] = old - h
        fm = f(x)
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
        it.iternext()
    return grad


def numerical_gradient_array(f, x, df, h=1e-5):
    """Gradient of sum(f(x) * df) with respect to x (f returns an array)."""
    return numerical_gradient(lambda v: float(np.sum(f(v) * df)), x, h)


@pytest.fixture(autouse=True)
def cpu_device():
    """Every test starts on the default device choice (where the inputs are)."""
    import convlab

    convlab.set_device(None)
    yield
    convlab.set_device(None)


def pytest_report_header(config):
    import convlab

    return f"convlab package: {convlab.__file__} (CUDA usable: {convlab.cuda_available()})"
