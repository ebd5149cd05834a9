#!/usr/bin/env python3
"""PyTorch CPU baseline for convlab's CPU training speed.

Times one ThreeLayerConvNet training step as cs231n defines the net
(conv 7x7, 32 filters, pad 3 - relu - 2x2 max pool - affine 100 - relu -
affine 10 - softmax loss), batch 50 of 3x32x32 float32 inputs, adam
(lr 1e-3): forward, backward and update. Warm-up steps, then the median of
timed steps.

With --convlab-bench PATH it also runs convlab's bench_cpu_train_step with
the same thread count (its per-op fast/reference timings, the
ThreeLayerConvNet model's step and the same step composed from the ops) and
puts both sets of numbers and the step-time ratios into the JSON written
with --json. Run it with the
Python that has torch (Debian's python3-torch: /usr/bin/python3).

    /usr/bin/python3 bench/pytorch_cpu_baseline.py --threads 1 2 \
        --convlab-bench build/bench/bench_cpu_train_step --json bench/results/cpu-DATE.json
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def build_net(torch):
    nn = torch.nn
    net = nn.Sequential(
        nn.Conv2d(3, 32, kernel_size=7, padding=3),
        nn.ReLU(),
        nn.MaxPool2d(2, stride=2),
        nn.Flatten(),
        nn.Linear(32 * 16 * 16, 100),
        nn.ReLU(),
        nn.Linear(100, 10),
    )
    with torch.no_grad():  # cs231n's init: weight_scale 1e-3, zero biases
        for m in net:
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.weight.normal_(0.0, 1e-3)
                m.bias.zero_()
    return net


def time_pytorch_step(threads, warmup, reps, batch):
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(threads)
    net = build_net(torch)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    ms = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        ms.append((time.perf_counter() - t0) * 1000.0)
    return {
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "median_ms": statistics.median(ms),
        "min_ms": min(ms),
        "runs": len(ms),
    }


def run_convlab(path, threads, reps, warmup):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    try:
        cmd = [path, "--threads", str(threads), "--reps", str(reps), "--warmup", str(warmup), "--json", out]
        subprocess.run(cmd, check=True, stdout=sys.stderr)
        with open(out) as f:
            return json.load(f)
    finally:
        os.unlink(out)


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return f.read().split()[:3]
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, nargs="+", default=[os.cpu_count()],
                    help="thread counts to time, one run each (default: one per core)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--convlab-bench", help="path of convlab's bench_cpu_train_step, to time it too")
    ap.add_argument("--json", help="write the results to this file")
    args = ap.parse_args()

    try:
        import torch  # noqa: F401
    except ImportError:
        sys.exit("pytorch_cpu_baseline: PyTorch is not installed (Debian: apt-get install python3-torch)")

    result = {
        "command": " ".join(["bench/" + os.path.basename(sys.argv[0])] + sys.argv[1:]),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"nproc": os.cpu_count(), "cpu": cpu_model()},
        "environment": {k: os.environ.get(k) for k in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
        "what": "ThreeLayerConvNet training step: conv 7x7x32 pad 3 - relu - pool 2x2 - affine 100 - relu - "
                "affine 10 - softmax loss, adam; batch %d, float32" % args.batch,
        "runs": [],
    }
    for threads in args.threads:
        run = {"threads": threads, "loadavg_before": loadavg()}
        run["pytorch"] = time_pytorch_step(threads, args.warmup, args.reps, args.batch)
        print("[%d threads] pytorch  step: median %.2f ms, min %.2f ms (%d runs)"
              % (threads, run["pytorch"]["median_ms"], run["pytorch"]["min_ms"], run["pytorch"]["runs"]))
        if args.convlab_bench:
            cl = run_convlab(args.convlab_bench, threads, args.reps, args.warmup)
            run["convlab"] = cl
            for op, key, label in (("three_layer_model_step", "convlab_model_step_over_pytorch", "model step"),
                                   ("three_layer_step", "convlab_fast_step_over_pytorch", "ops-composed step, cpu/fast")):
                steps = [r for r in cl["results"] if r["op"] == op and r["variant"] in ("fast", "default")]
                if steps:
                    ratio = steps[0]["median_ms"] / run["pytorch"]["median_ms"]
                    run[key] = ratio
                    print("[%d threads] convlab  %s: median %.2f ms = %.2fx PyTorch's"
                          % (threads, label, steps[0]["median_ms"], ratio))
        result["runs"].append(run)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
