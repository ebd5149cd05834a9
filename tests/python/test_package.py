"""convlab's Python package against the C++ library and NumPy: every op's
default kernel against the CPU reference kernel and a NumPy formula, in
float32 and float64; arrays shared, not copied; bad input raising clear
Python exceptions; the GPU through device="cuda" when one is present."""

import gc

import numpy as np
import pytest
from conftest import rel_error

import convlab
from convlab import layers
from convlab.fast_layers import conv_forward_fast, max_pool_forward_fast

DTYPES = [np.float32, np.float64]
TOL = {np.float32: 2e-5, np.float64: 1e-12}


def scaled_error(a, b):
    """max |a - b| over max |b|: the measure for float32, where a few outputs
    near zero make the notebooks' elementwise relative error meaningless."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def randn(rng, *shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def small_conv_case(seed, dtype):
    """x (2, 3, 8, 8), w (4, 3, 3, 3), b (4,) and a same-size conv_param."""
    rng = np.random.default_rng(seed)
    x, w, b = randn(rng, 2, 3, 8, 8, dtype=dtype), randn(rng, 4, 3, 3, 3, dtype=dtype), randn(rng, 4, dtype=dtype)
    return rng, x, w, b, {"stride": 1, "pad": 1}


@pytest.mark.parametrize("dtype", DTYPES)
def test_affine_relu_losses_against_numpy_and_reference(dtype):
    rng = np.random.default_rng(0)
    x, w, b = randn(rng, 7, 3, 4, dtype=dtype), randn(rng, 12, 5, dtype=dtype), randn(rng, 5, dtype=dtype)
    out, cache = layers.affine_forward(x, w, b)
    assert out.dtype == dtype
    assert scaled_error(out, x.reshape(7, -1) @ w + b) < TOL[dtype]
    ref, _ = layers.affine_forward(x, w, b, variant="reference")
    assert scaled_error(out, ref) < TOL[dtype]
    dout = randn(rng, 7, 5, dtype=dtype)
    dx, dw, db = layers.affine_backward(dout, cache)
    assert scaled_error(dx, (dout @ w.T).reshape(x.shape)) < TOL[dtype]
    assert scaled_error(dw, x.reshape(7, -1).T @ dout) < TOL[dtype]
    assert scaled_error(db, dout.sum(axis=0)) < TOL[dtype]

    out, cache = layers.relu_forward(x)
    assert np.array_equal(out, np.maximum(x, 0))
    assert np.array_equal(layers.relu_backward(x, cache), x * (x > 0))

    scores = randn(rng, 6, 4, dtype=dtype)
    y = np.array([0, 3, 1, 2, 3, 0])
    shifted = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss, dx = layers.softmax_loss(scores, y)
    assert abs(loss - (-np.log(p[np.arange(6), y]).mean())) < 10 * TOL[dtype]
    onehot = np.eye(4)[y]
    assert scaled_error(dx, (p - onehot) / 6) < TOL[dtype]
    margins = np.maximum(0, scores - scores[np.arange(6), y][:, None] + 1)
    margins[np.arange(6), y] = 0
    loss, _ = layers.svm_loss(scores, y)
    assert abs(loss - margins.sum() / 6) < 10 * TOL[dtype]


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_and_pool_fast_against_reference(dtype):
    rng = np.random.default_rng(1)
    x, w, b = randn(rng, 3, 4, 9, 11, dtype=dtype), randn(rng, 5, 4, 3, 3, dtype=dtype), randn(rng, 5, dtype=dtype)
    for cp in [{"stride": 1, "pad": 1}, {"stride": 2, "pad": 0}, {"stride": 2, "pad": 2}]:
        fast, cf = conv_forward_fast(x, w, b, cp)
        ref, cr = layers.conv_forward_naive(x, w, b, cp)
        assert fast.dtype == dtype and scaled_error(fast, ref) < 10 * TOL[dtype]
        dout = randn(rng, *fast.shape, dtype=dtype)
        for g_fast, g_ref in zip(layers.conv_backward(dout, cf), layers.conv_backward_naive(dout, cr)):
            assert scaled_error(g_fast, g_ref) < 10 * TOL[dtype]
    pp = {"pool_height": 3, "pool_width": 2, "stride": 2}
    fast, cf = max_pool_forward_fast(x, pp)
    ref, cr = layers.max_pool_forward_naive(x, pp)
    assert np.array_equal(fast, ref)
    dout = randn(rng, *fast.shape, dtype=dtype)
    assert np.array_equal(layers.max_pool_backward(dout, cf), layers.max_pool_backward_naive(dout, cr))


@pytest.mark.parametrize("dtype", DTYPES)
def test_norms_against_numpy_and_reference(dtype):
    rng = np.random.default_rng(2)
    x, gamma, beta = randn(rng, 16, 6, dtype=dtype), randn(rng, 6, dtype=dtype), randn(rng, 6, dtype=dtype)
    bn = {"mode": "train", "momentum": 0.8}
    out, cache = layers.batchnorm_forward(x, gamma, beta, bn)
    mu, var = x.mean(axis=0), x.var(axis=0)
    assert scaled_error(out, gamma * (x - mu) / np.sqrt(var + 1e-5) + beta) < 10 * TOL[dtype]
    assert scaled_error(bn["running_mean"], 0.2 * mu) < TOL[dtype]
    assert scaled_error(bn["running_var"], 0.2 * var) < TOL[dtype]
    assert bn["running_mean"].dtype == dtype
    ref_param = {"mode": "train", "momentum": 0.8}
    ref, ref_cache = layers.batchnorm_forward(x, gamma, beta, ref_param, variant="reference")
    assert scaled_error(out, ref) < 10 * TOL[dtype]
    dout = randn(rng, 16, 6, dtype=dtype)
    for g, r in zip(layers.batchnorm_backward(dout, cache), layers.batchnorm_backward(dout, ref_cache,
                                                                                     variant="reference")):
        assert scaled_error(g, r) < 10 * TOL[dtype]
    out, _ = layers.batchnorm_forward(x, gamma, beta, dict(bn, mode="test"))
    assert scaled_error(out, gamma * (x - bn["running_mean"]) / np.sqrt(bn["running_var"] + 1e-5) + beta) < 10 * TOL[dtype]

    out, _ = layers.layernorm_forward(x, gamma, beta, {"eps": 1e-3})
    m, v = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    assert scaled_error(out, gamma * (x - m) / np.sqrt(v + 1e-3) + beta) < 10 * TOL[dtype]

    x4 = randn(rng, 3, 6, 4, 5, dtype=dtype)
    out, _ = layers.spatial_groupnorm_forward(x4, gamma.reshape(1, 6, 1, 1), beta.reshape(1, 6, 1, 1), 3, {})
    g = x4.reshape(3, 3, -1)
    xn = ((g - g.mean(axis=2, keepdims=True)) / np.sqrt(g.var(axis=2, keepdims=True) + 1e-5)).reshape(x4.shape)
    assert scaled_error(out, xn * gamma.reshape(1, 6, 1, 1) + beta.reshape(1, 6, 1, 1)) < 10 * TOL[dtype]


def test_arrays_are_shared_not_copied():
    rng = np.random.default_rng(3)
    x, w, b = randn(rng, 4, 3), randn(rng, 3, 2), randn(rng, 2)
    out, cache = layers.affine_forward(x, w, b)
    # The output is an array over convlab's memory.
    assert not out.flags.owndata and out.flags.c_contiguous and out.flags.writeable
    # The cache holds x itself (as cs231n's does): a change to x shows in dw.
    x[0, 0] += 1.0
    dout = np.ones((4, 2))
    _, dw, _ = layers.affine_backward(dout, cache)
    assert rel_error(dw, x.T @ dout) < 1e-12
    # ... and keeps it alive after the caller lets go.
    x_copy = x.copy()
    del x
    gc.collect()
    _, dw, _ = layers.affine_backward(dout, cache)
    assert rel_error(dw, x_copy.T @ dout) < 1e-12
    # Non-contiguous input is accepted (made contiguous).
    xt = np.asfortranarray(x_copy)
    assert rel_error(layers.affine_forward(xt, w, b)[0], x_copy @ w + b) < 1e-12


def test_bad_input_raises_python_exceptions():
    x, w, b = np.zeros((2, 3)), np.zeros((4, 5)), np.zeros(5)
    with pytest.raises(convlab.Error, match=r"affine: w must have shape \(D, M\) with D = 3"):
        layers.affine_forward(x, w, b)
    with pytest.raises(ValueError):  # convlab.Error is a ValueError
        layers.affine_forward(x, w, b)
    with pytest.raises(TypeError, match="x: expected a float32 or float64 array, got int64"):
        layers.relu_forward(np.zeros((2, 2), dtype=np.int64))
    with pytest.raises(convlab.Error, match="float"):
        layers.affine_forward(np.zeros((2, 3)), np.zeros((3, 5), dtype=np.float32), np.zeros(5))
    with pytest.raises(convlab.Error, match="at most 4 dimensions"):
        layers.relu_forward(np.zeros((1, 1, 1, 1, 1)))
    with pytest.raises(KeyError, match="'pad'"):
        layers.conv_forward_naive(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), np.zeros(1), {"stride": 1})
    with pytest.raises(KeyError, match="'mode'"):
        layers.batchnorm_forward(np.zeros((2, 3)), np.ones(3), np.zeros(3), {})
    with pytest.raises(convlab.Error, match='mode must be "train" or "test"'):
        layers.batchnorm_forward(np.zeros((2, 3)), np.ones(3), np.zeros(3), {"mode": "eval"})
    with pytest.raises(convlab.Error, match="p"):
        layers.dropout_forward(np.zeros((2, 3)), {"mode": "train", "p": 0.0})
    with pytest.raises(convlab.Error, match="G"):
        layers.spatial_groupnorm_forward(np.zeros((1, 6, 2, 2)), np.ones(6), np.zeros(6), 4, {})
    with pytest.raises(TypeError, match="labels"):
        layers.softmax_loss(np.zeros((2, 3)), np.array([0.5, 1.0]))
    with pytest.raises(convlab.Error):
        layers.softmax_loss(np.zeros((2, 3)), np.array([0, 3]))  # label out of range
    _, relu_cache = layers.relu_forward(np.zeros((2, 2)))
    with pytest.raises(TypeError, match="got the cache of relu_forward, expected that of affine_forward"):
        layers.affine_backward(np.zeros((2, 2)), relu_cache)
    with pytest.raises(TypeError, match="expected the cache returned by conv_forward"):
        layers.conv_backward_naive(np.zeros((2, 2)), (1, 2, 3))
    _, cache = layers.affine_forward(np.zeros((2, 3)), np.zeros((3, 4)), np.zeros(4))
    with pytest.raises(convlab.Error, match="dout"):
        layers.affine_backward(np.zeros((2, 5)), cache)
    with pytest.raises(ValueError, match=r"conv_param\['stride'\]: 1099511627776 is out of range"):
        layers.conv_forward_naive(np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), np.zeros(1),
                                  {"stride": 2**40, "pad": 0})
    with pytest.raises(TypeError, match=r"pool_param\['stride'\]: expected an integer"):
        layers.max_pool_forward_naive(np.zeros((1, 1, 4, 4)), {"pool_height": 2, "pool_width": 2, "stride": "2"})
    with pytest.raises(ValueError, match=r"dropout_param\['seed'\]: -1 is out of range"):
        layers.dropout_forward(np.zeros((2, 3)), {"mode": "train", "p": 0.5, "seed": -1})
    with pytest.raises(TypeError, match="got int64"):
        convlab.to_device(np.zeros(3, dtype=np.int64), "cpu")
    with pytest.raises(TypeError, match="dtype"):
        convlab.ThreeLayerConvNet(dtype=np.int32)
    with pytest.raises(convlab.Error, match="model.hidden_dims"):
        convlab.FullyConnectedNet([0])
    with pytest.raises(ValueError, match="set_device"):
        convlab.set_device("tpu")


def test_variants_listing():
    names, default = convlab.variants("conv")
    assert "reference" in names and default in names
    with pytest.raises(convlab.Error, match="no op named"):
        convlab.variants("nope")
    with pytest.raises(convlab.Error, match="unknown variant 'nope'"):
        layers.relu_forward(np.zeros(3), variant="nope")


def test_cuda_device_without_a_gpu_is_a_clear_error():
    if convlab.cuda_available():
        pytest.skip("a GPU is present: the GPU tests below run instead")
    with pytest.raises(convlab.Error, match="no GPU"):
        layers.relu_forward(np.zeros(3), device="cuda")
    with pytest.raises(ValueError, match="no usable GPU"):
        convlab.set_device("cuda")


needs_gpu = pytest.mark.skipif(not convlab.cuda_available(), reason="no usable GPU (convlab.cuda_available() is False)")


def test_precision_is_fp32_unless_set_and_names_are_checked():
    assert convlab.get_precision() == "fp32"
    with pytest.raises(convlab.Error, match='expected "fp32", "tf32" or "bf16"'):
        convlab.set_precision("fp16")
    assert convlab.get_precision() == "fp32"


@needs_gpu
@pytest.mark.parametrize("precision,bound", [("tf32", 2e-3), ("bf16", 1.6e-2)])
def test_gpu_precision_runs_conv_and_affine_on_tensor_cores(precision, bound):
    rng, x, w, b, cp = small_conv_case(6, np.float32)
    ref, _ = layers.conv_forward(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), cp)
    a, aw, ab = randn(rng, 5, 40, dtype=np.float32), randn(rng, 40, 7, dtype=np.float32), randn(rng, 7, dtype=np.float32)
    ref_a, _ = layers.affine_forward(a.astype(np.float64), aw.astype(np.float64), ab.astype(np.float64))
    convlab.set_precision(precision)
    try:
        assert convlab.get_precision() == precision
        out, _ = conv_forward_fast(x, w, b, cp, device="cuda")
        out_a, _ = layers.affine_forward(a, aw, ab, device="cuda")
        with pytest.raises(convlab.Error, match="takes float32 tensors"):
            conv_forward_fast(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), cp, device="cuda")
    finally:
        convlab.set_precision("fp32")
    # Rounded operands: errors far above float32's (1e-7), within the precision's bound.
    assert 1e-5 < scaled_error(out, ref) < bound
    assert 1e-5 < scaled_error(out_a, ref_a) < bound


@needs_gpu
@pytest.mark.parametrize("dtype", DTYPES)
def test_gpu_ops_match_the_cpu(dtype):
    rng, x, w, b, cp = small_conv_case(4, dtype)
    cpu, cc = layers.conv_forward(x, w, b, cp)
    gpu, cg = layers.conv_forward(x, w, b, cp, device="cuda")
    assert isinstance(gpu, np.ndarray) and scaled_error(gpu, cpu) < 10 * TOL[dtype]
    assert cg.native.device == "cuda"
    dout = randn(rng, *cpu.shape, dtype=dtype)
    for g, c in zip(layers.conv_backward(dout, cg), layers.conv_backward(dout, cc)):
        assert scaled_error(g, c) < 10 * TOL[dtype]
    naive, _ = layers.conv_forward_naive(x, w, b, cp, device="cuda")
    assert scaled_error(naive, cpu) < 10 * TOL[dtype]
    convlab.set_device("cuda")
    out, cache = layers.batchnorm_forward(x.reshape(2, -1), np.ones(192, dtype), np.zeros(192, dtype), {"mode": "train"})
    assert cache.native.device == "cuda" and isinstance(out, np.ndarray)


@needs_gpu
@pytest.mark.parametrize("dtype", DTYPES)
def test_gpu_arrays_stay_on_the_gpu(dtype):
    rng, x, w, b, cp = small_conv_case(5, dtype)
    xg, wg, bg = (convlab.to_device(a, "cuda") for a in (x, w, b))
    assert not isinstance(xg, np.ndarray) and xg.__dlpack_device__()[0] == 2  # kDLCUDA
    out_g, cache = conv_forward_fast(xg, wg, bg, cp)
    assert not isinstance(out_g, np.ndarray) and cache.native.device == "cuda"
    out_cpu, _ = conv_forward_fast(x, w, b, cp)
    assert scaled_error(convlab.to_device(out_g, "cpu"), out_cpu) < 10 * TOL[dtype]
    naive_g, _ = layers.conv_forward_naive(xg, wg, bg, cp)  # the CUDA naive kernel
    assert scaled_error(convlab.to_device(naive_g, "cpu"), out_cpu) < 10 * TOL[dtype]
    pooled, pcache = max_pool_forward_fast(out_g, {"pool_height": 2, "pool_width": 2, "stride": 2})
    dx = layers.max_pool_backward(convlab.to_device(np.ones((2, 4, 4, 4), dtype), "cuda"), pcache)
    assert convlab.to_device(dx, "cpu").shape == (2, 4, 8, 8)
    loss, dscores = layers.softmax_loss(convlab.to_device(randn(rng, 5, 3, dtype=dtype), "cuda"),
                                        convlab.to_device(np.array([0, 1, 2, 1, 0], np.int32), "cuda"))
    assert np.isfinite(loss) and convlab.to_device(dscores, "cpu").shape == (5, 3)


@needs_gpu
def test_gpu_models_and_solver():
    np.random.seed(0)
    data = {"X_train": np.random.randn(40, 3, 8, 8), "y_train": np.random.randint(10, size=40),
            "X_val": np.random.randn(20, 3, 8, 8), "y_val": np.random.randint(10, size=20)}
    np.random.seed(1)  # the same initial weights for both
    cpu = convlab.ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=4, filter_size=3, hidden_dim=10,
                                    dtype=np.float64)
    np.random.seed(1)
    gpu = convlab.ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=4, filter_size=3, hidden_dim=10,
                                    dtype=np.float64, device="cuda")
    assert gpu.device == "cuda"
    loss_c, grads_c = cpu.loss(data["X_train"][:5], data["y_train"][:5])
    loss_g, grads_g = gpu.loss(data["X_train"][:5], data["y_train"][:5])
    assert abs(loss_c - loss_g) < 1e-10
    for name in grads_c:
        assert isinstance(grads_g[name], np.ndarray)
        assert scaled_error(grads_g[name], grads_c[name]) < 1e-9
    solver = convlab.Solver(gpu, data, num_epochs=1, batch_size=20, verbose=False)
    solver.train()
    assert len(solver.loss_history) == 2 and np.all(np.isfinite(solver.loss_history))


@needs_gpu
def test_gpu_dlpack_arrays_of_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    if not torch.cuda.is_available():
        pytest.skip("PyTorch has no CUDA here")
    x = torch.randn(4, 6, device="cuda", dtype=torch.float64)
    out, cache = layers.relu_forward(x)
    out_t = torch.from_dlpack(out)
    assert out_t.is_cuda and torch.equal(out_t, torch.relu(x))
