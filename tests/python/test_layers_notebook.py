"""The check cells of the notebooks (ConvolutionalNetworks, BatchNormalization)
against convlab.layers, convlab.fast_layers and convlab.layer_utils: the
same seeds, inputs and bounds."""

import numpy as np
import pytest
from conftest import numerical_gradient_array, rel_error

from convlab.fast_layers import (conv_backward_fast, conv_forward_fast, max_pool_backward_fast,
                                 max_pool_forward_fast)
from convlab.layer_utils import (affine_relu_backward, affine_relu_forward, conv_relu_backward, conv_relu_forward,
                                 conv_relu_pool_backward, conv_relu_pool_forward)
from convlab.layers import *  # noqa: F403 (the notebooks' own import)


def test_conv_forward_naive_matches_correct_out():
    x_shape, w_shape = (2, 3, 4, 4), (3, 3, 4, 4)
    x = np.linspace(-0.1, 0.5, num=np.prod(x_shape)).reshape(x_shape)
    w = np.linspace(-0.2, 0.3, num=np.prod(w_shape)).reshape(w_shape)
    b = np.linspace(-0.1, 0.2, num=3)
    out, _ = conv_forward_naive(x, w, b, {"stride": 2, "pad": 1})
    correct_out = np.array([[[[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]],
                             [[0.21027089, 0.21661097], [0.22847626, 0.23004637]],
                             [[0.50813986, 0.54309974], [0.64082444, 0.67101435]]],
                            [[[-0.98053589, -1.03143541], [-1.19128892, -1.24695841]],
                             [[0.69108355, 0.66880383], [0.59480972, 0.56776003]],
                             [[2.36270298, 2.36904306], [2.38090835, 2.38247847]]]])
    # The notebook: "difference should be around e-8"; its own output printed 2.2121476417505994e-08.
    err = rel_error(out, correct_out)
    assert err < 3e-8
    assert abs(err - 2.2121476417505994e-08) < 1e-14


def conv_inputs():
    np.random.seed(231)
    x = np.random.randn(4, 3, 5, 5)
    w = np.random.randn(2, 3, 3, 3)
    b = np.random.randn(2)
    dout = np.random.randn(4, 2, 5, 5)
    return x, w, b, dout, {"stride": 1, "pad": 1}


@pytest.mark.parametrize("forward,backward", [(conv_forward_naive, conv_backward_naive),
                                              (conv_forward_fast, conv_backward_fast)])
def test_conv_backward_numerical_gradient(forward, backward):
    x, w, b, dout, cp = conv_inputs()
    dx_num = numerical_gradient_array(lambda v: forward(v, w, b, cp)[0], x, dout)
    dw_num = numerical_gradient_array(lambda v: forward(x, v, b, cp)[0], w, dout)
    db_num = numerical_gradient_array(lambda v: forward(x, w, v, cp)[0], b, dout)
    _, cache = forward(x, w, b, cp)
    dx, dw, db = backward(dout, cache)
    # The notebook: "around e-8 or less" (its own dx error: 1.16e-08).
    assert rel_error(dx, dx_num) < 1e-7
    assert rel_error(dw, dw_num) < 1e-7
    assert rel_error(db, db_num) < 1e-7


def test_max_pool_forward_naive_matches_correct_out():
    x_shape = (2, 3, 4, 4)
    x = np.linspace(-0.3, 0.4, num=np.prod(x_shape)).reshape(x_shape)
    out, _ = max_pool_forward_naive(x, {"pool_width": 2, "pool_height": 2, "stride": 2})
    correct_out = np.array([[[[-0.26315789, -0.24842105], [-0.20421053, -0.18947368]],
                             [[-0.14526316, -0.13052632], [-0.08631579, -0.07157895]],
                             [[-0.02736842, -0.01263158], [0.03157895, 0.04631579]]],
                            [[[0.09052632, 0.10526316], [0.14947368, 0.16421053]],
                             [[0.20842105, 0.22315789], [0.26736842, 0.28210526]],
                             [[0.32631579, 0.34105263], [0.38526316, 0.4]]]])
    assert rel_error(out, correct_out) < 1e-7


@pytest.mark.parametrize("forward,backward", [(max_pool_forward_naive, max_pool_backward_naive),
                                              (max_pool_forward_fast, max_pool_backward_fast)])
def test_max_pool_backward_numerical_gradient(forward, backward):
    np.random.seed(231)
    x = np.random.randn(3, 2, 8, 8)
    dout = np.random.randn(3, 2, 4, 4)
    pp = {"pool_height": 2, "pool_width": 2, "stride": 2}
    dx_num = numerical_gradient_array(lambda v: forward(v, pp)[0], x, dout)
    _, cache = forward(x, pp)
    assert rel_error(backward(dout, cache), dx_num) < 1e-8


def test_fast_layers_match_naive_on_the_notebook_shapes():
    np.random.seed(231)
    x = np.random.randn(100, 3, 31, 31)
    w = np.random.randn(25, 3, 3, 3)
    b = np.random.randn(25)
    dout = np.random.randn(100, 25, 16, 16)
    cp = {"stride": 2, "pad": 1}
    out_naive, cache_naive = conv_forward_naive(x, w, b, cp)
    out_fast, cache_fast = conv_forward_fast(x, w, b, cp)
    assert rel_error(out_naive, out_fast) < 1e-9
    for g_naive, g_fast in zip(conv_backward_naive(dout, cache_naive), conv_backward_fast(dout, cache_fast)):
        assert rel_error(g_naive, g_fast) < 1e-9

    x = np.random.randn(100, 3, 32, 32)
    dout = np.random.randn(100, 3, 16, 16)
    pp = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out_naive, cache_naive = max_pool_forward_naive(x, pp)
    out_fast, cache_fast = max_pool_forward_fast(x, pp)
    assert rel_error(out_naive, out_fast) == 0
    assert rel_error(max_pool_backward_naive(dout, cache_naive), max_pool_backward_fast(dout, cache_fast)) == 0


def test_sandwich_layers_numerical_gradient():
    # relu and max pool have kinks, where centred differences are noisier: bounds 1e-6.
    np.random.seed(231)
    cp = {"stride": 1, "pad": 1}
    pp = {"pool_height": 2, "pool_width": 2, "stride": 2}
    x, w, b = np.random.randn(2, 3, 16, 16), np.random.randn(3, 3, 3, 3), np.random.randn(3)

    dout = np.random.randn(2, 3, 8, 8)
    _, cache = conv_relu_pool_forward(x, w, b, cp, pp)
    dx, dw, db = conv_relu_pool_backward(dout, cache)
    f = conv_relu_pool_forward
    assert rel_error(dx, numerical_gradient_array(lambda v: f(v, w, b, cp, pp)[0], x, dout)) < 1e-6
    assert rel_error(dw, numerical_gradient_array(lambda v: f(x, v, b, cp, pp)[0], w, dout)) < 1e-6
    assert rel_error(db, numerical_gradient_array(lambda v: f(x, w, v, cp, pp)[0], b, dout)) < 1e-6

    x, w, b = np.random.randn(2, 3, 8, 8), np.random.randn(3, 3, 3, 3), np.random.randn(3)
    dout = np.random.randn(2, 3, 8, 8)
    _, cache = conv_relu_forward(x, w, b, cp)
    dx, dw, db = conv_relu_backward(dout, cache)
    assert rel_error(dx, numerical_gradient_array(lambda v: conv_relu_forward(v, w, b, cp)[0], x, dout)) < 1e-6
    assert rel_error(dw, numerical_gradient_array(lambda v: conv_relu_forward(x, v, b, cp)[0], w, dout)) < 1e-6

    x, w, b = np.random.randn(2, 3, 4), np.random.randn(12, 10), np.random.randn(10)
    dout = np.random.randn(2, 10)
    _, cache = affine_relu_forward(x, w, b)
    dx, dw, db = affine_relu_backward(dout, cache)
    assert dx.shape == x.shape
    assert rel_error(dx, numerical_gradient_array(lambda v: affine_relu_forward(v, w, b)[0], x, dout)) < 1e-6
    assert rel_error(dw, numerical_gradient_array(lambda v: affine_relu_forward(x, v, b)[0], w, dout)) < 1e-6
    assert rel_error(db, numerical_gradient_array(lambda v: affine_relu_forward(x, w, v)[0], b, dout)) < 1e-6


def test_affine_relu_and_losses_numerical_gradient():
    np.random.seed(231)
    x, w, b = np.random.randn(10, 2, 3), np.random.randn(6, 5), np.random.randn(5)
    dout = np.random.randn(10, 5)
    _, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)
    assert rel_error(dx, numerical_gradient_array(lambda v: affine_forward(v, w, b)[0], x, dout)) < 1e-8
    assert rel_error(dw, numerical_gradient_array(lambda v: affine_forward(x, v, b)[0], w, dout)) < 1e-8
    assert rel_error(db, numerical_gradient_array(lambda v: affine_forward(x, w, v)[0], b, dout)) < 1e-8

    x = np.random.randn(10, 10)
    dout = np.random.randn(*x.shape)
    _, cache = relu_forward(x)
    assert rel_error(relu_backward(dout, cache),
                     numerical_gradient_array(lambda v: relu_forward(v)[0], x, dout)) < 1e-8

    num_classes, num_inputs = 10, 50
    x = 0.001 * np.random.randn(num_inputs, num_classes)
    y = np.random.randint(num_classes, size=num_inputs)
    loss, dx = svm_loss(x, y)
    assert abs(loss - 9.0) < 0.01  # about num_classes - 1 for tiny scores
    assert rel_error(dx, numerical_gradient_array(lambda v: np.array(svm_loss(v, y)[0]), x, 1.0)) < 1e-7
    loss, dx = softmax_loss(x, y)
    assert abs(loss - np.log(10)) < 0.01
    assert rel_error(dx, numerical_gradient_array(lambda v: np.array(softmax_loss(v, y)[0]), x, 1.0)) < 1e-7


def test_batchnorm_train_and_test_time_statistics():
    np.random.seed(231)
    N, D1, D2, D3 = 200, 50, 60, 3
    X = np.random.randn(N, D1)
    W1, W2 = np.random.randn(D1, D2), np.random.randn(D2, D3)
    a = np.maximum(0, X.dot(W1)).dot(W2)
    a_norm, _ = batchnorm_forward(a, np.ones(D3), np.zeros(D3), {"mode": "train"})
    assert np.allclose(a_norm.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(a_norm.std(axis=0), 1, atol=1e-4)
    gamma, beta = np.asarray([1.0, 2.0, 3.0]), np.asarray([11.0, 12.0, 13.0])
    a_norm, _ = batchnorm_forward(a, gamma, beta, {"mode": "train"})
    assert np.allclose(a_norm.mean(axis=0), beta)
    assert np.allclose(a_norm.std(axis=0), gamma, rtol=1e-4)

    bn_param = {"mode": "train"}
    gamma, beta = np.ones(D3), np.zeros(D3)
    for _ in range(50):
        X = np.random.randn(N, D1)
        batchnorm_forward(np.maximum(0, X.dot(W1)).dot(W2), gamma, beta, bn_param)
    bn_param["mode"] = "test"
    X = np.random.randn(N, D1)
    a_norm, _ = batchnorm_forward(np.maximum(0, X.dot(W1)).dot(W2), gamma, beta, bn_param)
    # The notebook expects means near 0 and stds near 1 after the running averages settle.
    assert np.all(np.abs(a_norm.mean(axis=0)) < 0.2)
    assert np.all(np.abs(a_norm.std(axis=0) - 1) < 0.2)
    assert bn_param["running_mean"].shape == (D3,) and bn_param["running_var"].shape == (D3,)


def test_batchnorm_backward_and_alt_numerical_gradient():
    np.random.seed(231)
    N, D = 4, 5
    x = 5 * np.random.randn(N, D) + 12
    gamma, beta = np.random.randn(D), np.random.randn(D)
    dout = np.random.randn(N, D)
    bn_param = {"mode": "train"}
    f = lambda v: batchnorm_forward(v, gamma, beta, dict(bn_param))[0]  # noqa: E731
    dx_num = numerical_gradient_array(f, x, dout)
    dg_num = numerical_gradient_array(lambda g: batchnorm_forward(x, g, beta, dict(bn_param))[0], gamma.copy(), dout)
    db_num = numerical_gradient_array(lambda b: batchnorm_forward(x, gamma, b, dict(bn_param))[0], beta.copy(), dout)
    _, cache = batchnorm_forward(x, gamma, beta, dict(bn_param))
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    assert rel_error(dx, dx_num) < 1e-7
    assert rel_error(dgamma, dg_num) < 1e-7
    assert rel_error(dbeta, db_num) < 1e-7
    dx2, dgamma2, dbeta2 = batchnorm_backward_alt(dout, cache)
    assert rel_error(dx, dx2) < 1e-10
    assert rel_error(dgamma, dgamma2) < 1e-12
    assert rel_error(dbeta, dbeta2) < 1e-12


def test_layernorm_statistics_and_numerical_gradient():
    np.random.seed(231)
    N, D = 4, 3
    a = np.random.randn(N, D) * 5 + 3
    out, _ = layernorm_forward(a, np.ones(D), np.zeros(D), {})
    assert np.allclose(out.mean(axis=1), 0, atol=1e-12)
    assert np.allclose(out.std(axis=1), 1, atol=1e-4)
    x = 5 * np.random.randn(N, D) + 12
    gamma, beta = np.random.randn(D), np.random.randn(D)
    dout = np.random.randn(N, D)
    dx_num = numerical_gradient_array(lambda v: layernorm_forward(v, gamma, beta, {})[0], x, dout)
    dg_num = numerical_gradient_array(lambda g: layernorm_forward(x, g, beta, {})[0], gamma.copy(), dout)
    _, cache = layernorm_forward(x, gamma, beta, {})
    dx, dgamma, _ = layernorm_backward(dout, cache)
    assert rel_error(dx, dx_num) < 1e-7
    assert rel_error(dgamma, dg_num) < 1e-7


def test_spatial_batchnorm_statistics_and_numerical_gradient():
    np.random.seed(231)
    N, C, H, W = 10, 3, 4, 5
    x = 4 * np.random.randn(N, C, H, W) + 10
    gamma, beta = np.asarray([3.0, 4.0, 5.0]), np.asarray([6.0, 7.0, 8.0])
    out, _ = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
    assert np.allclose(out.mean(axis=(0, 2, 3)), beta)
    assert np.allclose(out.std(axis=(0, 2, 3)), gamma, rtol=1e-4)

    N, C, H, W = 2, 3, 4, 5
    x = 5 * np.random.randn(N, C, H, W) + 12
    gamma, beta = np.random.randn(C), np.random.randn(C)
    dout = np.random.randn(N, C, H, W)
    bn = {"mode": "train"}
    dx_num = numerical_gradient_array(lambda v: spatial_batchnorm_forward(v, gamma, beta, dict(bn))[0], x, dout)
    _, cache = spatial_batchnorm_forward(x, gamma, beta, dict(bn))
    dx, dgamma, dbeta = spatial_batchnorm_backward(dout, cache)
    assert rel_error(dx, dx_num) < 1e-6
    assert rel_error(dbeta, dout.sum(axis=(0, 2, 3))) < 1e-12


def test_spatial_groupnorm_statistics_and_numerical_gradient():
    np.random.seed(231)
    N, C, H, W, G = 2, 6, 4, 5, 2
    x = 4 * np.random.randn(N, C, H, W) + 10
    out, _ = spatial_groupnorm_forward(x, np.ones((1, C, 1, 1)), np.zeros((1, C, 1, 1)), G, {})
    grouped = out.reshape(N * G, -1)
    assert np.allclose(grouped.mean(axis=1), 0, atol=1e-12)
    assert np.allclose(grouped.std(axis=1), 1, atol=1e-4)

    x = 5 * np.random.randn(N, C, H, W) + 12
    gamma, beta = np.random.randn(1, C, 1, 1), np.random.randn(1, C, 1, 1)
    dout = np.random.randn(N, C, H, W)
    f = spatial_groupnorm_forward
    dx_num = numerical_gradient_array(lambda v: f(v, gamma, beta, G, {})[0], x, dout)
    dg_num = numerical_gradient_array(lambda g: f(x, g, beta, G, {})[0], gamma.copy(), dout)
    db_num = numerical_gradient_array(lambda b: f(x, gamma, b, G, {})[0], beta.copy(), dout)
    _, cache = f(x, gamma, beta, G, {})
    dx, dgamma, dbeta = spatial_groupnorm_backward(dout, cache)
    assert dgamma.shape == (1, C, 1, 1) and dbeta.shape == (1, C, 1, 1)
    # dgamma and dbeta: 1e-7, as for batchnorm and layernorm above. Some entries are ~1e-3, where
    # the centred difference's rounding is ~1e-8 relative (1.2e-8 measured in a sanitizer build).
    assert rel_error(dx, dx_num) < 1e-6
    assert rel_error(dgamma, dg_num) < 1e-7
    assert rel_error(dbeta, db_num) < 1e-7


def test_dropout_keeps_a_p_fraction_and_numerical_gradient():
    np.random.seed(231)
    x = np.random.randn(500, 500) + 10
    for p in [0.25, 0.4, 0.7]:
        out, _ = dropout_forward(x, {"mode": "train", "p": p})
        out_test, _ = dropout_forward(x, {"mode": "test", "p": p})
        assert abs(out.mean() - x.mean()) < 0.05 * x.mean()
        assert np.array_equal(out_test, x)
        assert abs((out == 0).mean() - (1 - p)) < 0.01

    x = np.random.randn(10, 10) + 10
    dout = np.random.randn(*x.shape)
    dp = {"mode": "train", "p": 0.2, "seed": 123}
    _, cache = dropout_forward(x, dp)
    dx = dropout_backward(dout, cache)
    dx_num = numerical_gradient_array(lambda v: dropout_forward(v, dp)[0], x, dout)
    assert rel_error(dx, dx_num) < 1e-9
