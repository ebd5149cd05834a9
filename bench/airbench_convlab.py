#!/usr/bin/env python3
"""convlab's airbench runs as rows beside bench/pytorch_airbench.py's.

Runs `convlab train configs/<config>.json` once per seed (--set
solver.seed=S, OMP_NUM_THREADS = --threads) and appends one row per run to
the same JSON file that bench/pytorch_airbench.py --json writes:
{"framework": "convlab", "config", "widths", "seed", "epochs", "threads",
"device", "test_acc", "test_acc_tta", "train_seconds", "total_seconds"}.

train_seconds is the training steps alone (iterations x batch / the
summary's images_per_s: the per-epoch train/val checks excluded, the
augmentation and batch making included), as pytorch_airbench.py times its
training loop. total_seconds is the whole `convlab train` (data loading,
whitening, checks, checkpoints and the TTA evaluation of 10,000 test
images); PyTorch's total is its training loop plus its TTA evaluation.

    python3 bench/airbench_convlab.py --convlab build/convlab --config airbench_cpu --seeds 0 1 2 \\
        --threads 2 --json bench/results/airbench-cpu-DATE.json
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

from results_json import append_rows


def widths_of(config):
    convs = [layer["num_filters"] for layer in config["model"]["layers"]
             if layer["type"] == "conv" and layer.get("init") != "whiten"]
    return convs[0::2]


def run_one(args, config_path, config, seed, tmp):
    out = os.path.join(tmp, "seed%d" % seed)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    cmd = [args.convlab, "train", config_path, "--set", "solver.seed=%d" % seed, "--out", out, "--device", args.device]
    print(" ".join(cmd[1:]), flush=True)
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    tail = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    print(tail, flush=True)
    if p.returncode != 0:
        sys.exit("convlab train failed (exit %d):\n%s" % (p.returncode, p.stdout[-4000:]))
    with open(os.path.join(out, "summary.json")) as f:
        s = json.load(f)
    solver = config["solver"]
    iters_per_epoch = max(config["data"].get("num_training", 49000) // solver["batch_size"], 1)
    iterations = math.ceil(solver["num_epochs"] * iters_per_epoch * (1 - 1e-12))
    w = widths_of(config)
    return {"framework": "convlab", "config": args.config, "widths": w, "seed": seed,
            "epochs": solver["num_epochs"], "threads": args.threads,
            "device": s.get("device_name", args.device), "test_acc": s["test"], "test_acc_tta": s.get("test_tta"),
            "train_seconds": round(iterations * solver["batch_size"] / s["images_per_s"], 2),
            "total_seconds": round(s["time_s"], 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--convlab", default="build/convlab", help="the convlab binary")
    ap.add_argument("--config", default="airbench_cpu", help="configs/<name>.json")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--json", help="append the rows to this file (bench/pytorch_airbench.py's format)")
    args = ap.parse_args()
    config_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", args.config + ".json")
    with open(config_path) as f:
        config = json.load(f)
    rows = []
    with tempfile.TemporaryDirectory(prefix="convlab-airbench-") as tmp:
        for seed in args.seeds:
            rows.append(run_one(args, config_path, config, seed, tmp))
            print(json.dumps(rows[-1]), flush=True)
    if args.json:
        append_rows(args.json, rows, " ".join(["bench/airbench_convlab.py"] + sys.argv[1:]))


if __name__ == "__main__":
    main()
