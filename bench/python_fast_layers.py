#!/usr/bin/env python3
"""The ConvolutionalNetworks notebook's speed cells through convlab's Python
package: conv_forward/backward_fast and max_pool_forward/backward_fast against
the notebook's naive functions, on the notebook's shapes and inputs (float64,
np.random.seed(231)):

  conv      x (100, 3, 31, 31), w (25, 3, 3, 3), stride 2, pad 1
  max pool  x (100, 3, 32, 32), 2x2, stride 2

Three implementations per op, timed side by side in one process, interleaved,
`--repeats` times each (median; this machine's speed drifts minute to minute):

  numpy_naive    NumPy naive layers as the notebook's exercise has one write
                 them (defined below): loops over every output element
                 (n, f, i, j) of conv, forward and backward, and (n, c, i, j)
                 of max pool, with NumPy over the window
  numpy_windows  conv forward only: a loop over the output positions (i, j)
                 with one tensordot over (N, C, HH, WW) x (F, C, HH, WW) each,
                 a half-vectorised naive (the notebook's naive forward, 0.19 s,
                 is of this order)
  convlab_naive  convlab.layers.*_naive: the CPU reference kernels (C++ loops)
  convlab_fast   convlab.fast_layers.*_fast: the default CPU kernels

The notebook reports its Cython fast layers at 23x (conv forward), 679x (conv
backward), 221x (pool forward) and 137x (pool backward) over its naive ones.

    PYTHONPATH=build/python python3 bench/python_fast_layers.py --threads 2 \\
        --json bench/results/python-fast-layers-cpu-DATE.json
"""
import argparse
import statistics
import sys
import time

import numpy as np

import convlab
from convlab import layers
from convlab.fast_layers import conv_backward_fast, conv_forward_fast, max_pool_backward_fast, max_pool_forward_fast

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from results_json import append_rows  # noqa: E402


def conv_geometry(x, w, conv_param):
    """stride, the padded input, and the output (zeros) of a conv."""
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, _, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride
    return stride, np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))), np.zeros((N, F, Ho, Wo))


def numpy_conv_forward(x, w, b, conv_param):
    stride, xp, out = conv_geometry(x, w, conv_param)
    N, F, Ho, Wo = out.shape
    _, _, HH, WW = w.shape
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    hs, ws = i * stride, j * stride
                    out[n, f, i, j] = np.sum(xp[n, :, hs:hs + HH, ws:ws + WW] * w[f]) + b[f]
    return out, (x, w, b, conv_param)


def numpy_conv_forward_windows(x, w, b, conv_param):
    stride, xp, out = conv_geometry(x, w, conv_param)
    _, _, Ho, Wo = out.shape
    _, _, HH, WW = w.shape
    for i in range(Ho):
        for j in range(Wo):
            window = xp[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w, b, conv_param)


def numpy_conv_backward(dout, cache):
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, F, Ho, Wo = dout.shape
    _, _, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    db = dout.sum(axis=(0, 2, 3))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    hs, ws = i * stride, j * stride
                    dw[f] += xp[n, :, hs:hs + HH, ws:ws + WW] * dout[n, f, i, j]
                    dxp[n, :, hs:hs + HH, ws:ws + WW] += w[f] * dout[n, f, i, j]
    return dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]], dw, db


def numpy_pool_forward(x, pool_param):
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    Ho, Wo = 1 + (H - ph) // s, 1 + (W - pw) // s
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, c, i, j] = np.max(x[n, c, i * s:i * s + ph, j * s:j * s + pw])
    return out, (x, pool_param)


def numpy_pool_backward(dout, cache):
    x, pool_param = cache
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, Ho, Wo = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * s:i * s + ph, j * s:j * s + pw]
                    k = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * s + k[0], j * s + k[1]] += dout[n, c, i, j]
    return dx


IMPLS = {
    "conv": {"numpy_naive": (numpy_conv_forward, numpy_conv_backward),
             "numpy_windows": (numpy_conv_forward_windows, None),
             "convlab_naive": (layers.conv_forward_naive, layers.conv_backward_naive),
             "convlab_fast": (conv_forward_fast, conv_backward_fast)},
    "max_pool": {"numpy_naive": (numpy_pool_forward, numpy_pool_backward),
                 "convlab_naive": (layers.max_pool_forward_naive, layers.max_pool_backward_naive),
                 "convlab_fast": (max_pool_forward_fast, max_pool_backward_fast)},
}


def inputs(op):
    np.random.seed(231)
    if op == "conv":
        x, w, b = np.random.randn(100, 3, 31, 31), np.random.randn(25, 3, 3, 3), np.random.randn(25)
        dout = np.random.randn(100, 25, 16, 16)
        return (x, w, b, {"stride": 2, "pad": 1}), dout
    x = np.random.randn(100, 3, 32, 32)
    dout = np.random.randn(100, 3, 16, 16)
    return (x, {"pool_height": 2, "pool_width": 2, "stride": 2}), dout


def rel_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=0, help="convlab's CPU threads (0: every core)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--numpy-repeats", type=int, default=3, help="repeats of the slow NumPy naive layers")
    ap.add_argument("--json", help="append the rows to this results file")
    args = ap.parse_args()
    if args.threads:
        convlab.set_num_threads(args.threads)

    rows = []
    for op, impls in IMPLS.items():
        args_fw, dout = inputs(op)
        times = {name: {"forward": [], "backward": []} for name in impls}
        outputs = {}
        for r in range(max(args.repeats, args.numpy_repeats)):
            for name, (fw, bw) in impls.items():
                if name.startswith("numpy") and r >= args.numpy_repeats:
                    continue
                t0 = time.perf_counter()
                out, cache = fw(*args_fw)
                t1 = time.perf_counter()
                times[name]["forward"].append(t1 - t0)
                grads = ()
                if bw is not None:
                    grads = bw(dout, cache)
                    times[name]["backward"].append(time.perf_counter() - t1)
                outputs[name] = (out, grads if isinstance(grads, tuple) else (grads,))
        ref_out, ref_grads = outputs["numpy_naive"]
        for name in impls:
            out, grads = outputs[name]
            err = max([rel_error(out, ref_out)] + [rel_error(g, h) for g, h in zip(grads, ref_grads)])
            for direction in ("forward", "backward"):
                if not times[name][direction]:
                    continue
                med = statistics.median(times[name][direction])
                base = statistics.median(times["numpy_naive"][direction])
                rows.append({"op": op, "direction": direction, "impl": name, "median_s": med,
                             "runs": len(times[name][direction]), "speedup_over_numpy_naive": base / med,
                             "max_rel_error_vs_numpy_naive": err, "threads": convlab.get_num_threads()})
                print(f"{op:8s} {direction:8s} {name:14s} {med * 1e3:10.3f} ms  {base / med:9.1f}x  "
                      f"(rel error {err:.1e})")
    if args.json:
        command = "PYTHONPATH=build/python python3 bench/python_fast_layers.py " + " ".join(sys.argv[1:])
        append_rows(args.json, rows, command, {"notes": "float64, the notebook's shapes and seed; medians of "
                                               "interleaved runs in one process"})


if __name__ == "__main__":
    main()
