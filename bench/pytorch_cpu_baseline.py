#!/usr/bin/env python3
"""PyTorch CPU baseline for convlab's CPU training speed.

Times one ThreeLayerConvNet training step as cs231n defines the net
(conv 7x7, 32 filters, pad 3 - relu - 2x2 max pool - affine 100 - relu -
affine 10 - softmax loss), batch 50 of 3x32x32 float32 inputs, adam
(lr 1e-3): forward, backward and update. Warm-up steps, then the median of
timed steps.

With --convlab-bench PATH it also times convlab's ThreeLayerConvNet model
step (bench_cpu_train_step --step-only) with the same thread count,
alternating with PyTorch for --rounds rounds so that both see the same
machine load, and reports the medians over all rounds and the speedup
(PyTorch's median / convlab's). Then one full bench_cpu_train_step run adds
convlab's per-op threaded/reference timings. Everything goes into the JSON
written with --json. Run it with the Python that has torch (Debian's
python3-torch: /usr/bin/python3).

    /usr/bin/python3 bench/pytorch_cpu_baseline.py --threads 1 2 \
        --convlab-bench build/bench/bench_cpu_train_step --json bench/results/cpu-DATE.json
"""
import argparse
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from results_json import cpu_model


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


def time_pytorch_step(threads, warmup, reps, batch, samples=None):
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
    if samples is not None:
        samples.extend(ms)
    return {
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "median_ms": statistics.median(ms),
        "min_ms": min(ms),
        "runs": len(ms),
    }


def run_convlab(path, threads, reps, warmup, extra=()):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    try:
        cmd = [path, "--threads", str(threads), "--reps", str(reps), "--warmup", str(warmup), "--json", out]
        cmd += list(extra)
        subprocess.run(cmd, check=True, stdout=sys.stderr)
        with open(out) as f:
            result = json.load(f)
        result["command"] = re.sub(r"--json \S+", "--json <temporary file>", result.get("command", ""))
        return result
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
    ap.add_argument("--rounds", type=int, default=5,
                    help="alternating PyTorch / convlab rounds of --reps steps each (default 5)")
    ap.add_argument("--no-ops", action="store_true", help="skip convlab's per-op timings")
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
        run = {"threads": threads, "loadavg_before": loadavg(), "rounds": args.rounds}
        torch_ms, convlab_ms, convlab_rounds = [], [], []
        for r in range(args.rounds):
            run["pytorch"] = time_pytorch_step(threads, args.warmup, args.reps, args.batch, torch_ms)
            if args.convlab_bench:
                cl = run_convlab(args.convlab_bench, threads, args.reps, args.warmup, ["--step-only", "--budget", "60"])
                step = [x for x in cl["results"] if x["op"] == "three_layer_model_step"][0]
                convlab_rounds.append(step)
                print("[%d threads, round %d] pytorch median %.2f ms, convlab median %.2f ms"
                      % (threads, r + 1, run["pytorch"]["median_ms"], step["median_ms"]))
        run["pytorch"]["median_ms"] = statistics.median(torch_ms)
        run["pytorch"]["min_ms"] = min(torch_ms)
        run["pytorch"]["runs"] = len(torch_ms)
        print("[%d threads] pytorch  step: median %.2f ms, min %.2f ms (%d runs)"
              % (threads, run["pytorch"]["median_ms"], run["pytorch"]["min_ms"], run["pytorch"]["runs"]))
        if args.convlab_bench:
            # Medians of the rounds' medians and the smallest minimum (bench_cpu_train_step reports per-run stats).
            run["convlab_model_step"] = {
                "median_ms": statistics.median(x["median_ms"] for x in convlab_rounds),
                "min_ms": min(x["min_ms"] for x in convlab_rounds),
                "rounds": [{"median_ms": x["median_ms"], "min_ms": x["min_ms"], "runs": x["runs"]}
                           for x in convlab_rounds],
            }
            m = run["convlab_model_step"]["median_ms"]
            run["speedup_over_pytorch"] = run["pytorch"]["median_ms"] / m
            print("[%d threads] convlab  model step: median %.2f ms: %.2fx faster than PyTorch"
                  % (threads, m, run["speedup_over_pytorch"]))
            if not args.no_ops:
                run["convlab"] = run_convlab(args.convlab_bench, threads, args.reps, args.warmup)
        result["runs"].append(run)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
