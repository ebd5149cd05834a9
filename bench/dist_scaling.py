#!/usr/bin/env python3
"""Data-parallel step time on one machine: 1 rank x T threads against R ranks x T/R threads.

For each config, runs `convlab train` a few steps in every layout, the
layouts alternating, `--repeats` times (this machine's speed drifts from one
minute to the next: compare runs made side by side), and writes one row per
run: the layout, the step time (the summary's training time over its
iterations: the train/val checks excluded) and the all-reduce's share of it
(the summary's allreduce_s, waiting for the slowest rank included), plus the
gradient bytes per step. The layouts:

  1x2       one process, 2 threads                 convlab --threads 2 train CONFIG
  2x1       2 ranks of 1 thread each (MPI)         mpirun -np 2 convlab --threads 1 train CONFIG
  2x1-sync  the same with synchronized batchnorm   ... --set model.sync_batchnorm=true (configs with batchnorm)

    python3 bench/dist_scaling.py --convlab build/convlab --repeats 2 \\
        --json bench/results/dist-scaling-cpu-DATE.json

The data: CONVLAB_CIFAR10_DIR, as for convlab train.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from results_json import append_rows

# name: (config, overrides): a few steps of each, the test set and TTA left out.
CASES = {
    "three_layer_convnet": ("three_layer_one_epoch", ["solver.num_epochs=0.2", "solver.print_every=100000"]),
    "airbench94": ("airbench94", ["solver.num_epochs=0.25", "data.num_test=0", "evaluation.tta=\"none\"",
                                  "output.save_checkpoint=false"]),
}


def layouts(name, threads):
    half = max(threads // 2, 1)
    out = [("1x%d" % threads, 1, threads, [])]
    out.append(("2x%d" % half, 2, half, []))
    if name == "airbench94":
        out.append(("2x%d-sync" % half, 2, half, ["model.sync_batchnorm=true"]))
    return out


def run(args, config_path, overrides, ranks, threads, out):
    cmd = [args.convlab, "--threads", str(threads), "train", config_path, "--out", out, "--overwrite"]
    for o in overrides:
        cmd += ["--set", o]
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    if ranks > 1:
        cmd = [args.mpirun, "-np", str(ranks), "--oversubscribe"] + cmd
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.exit("failed (exit %d): %s\n%s" % (p.returncode, " ".join(cmd), p.stdout[-4000:]))
    with open(os.path.join(out, "summary.json")) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--convlab", default="build/convlab", help="the convlab binary (built with MPI)")
    ap.add_argument("--mpirun", default="mpirun")
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    ap.add_argument("--threads", type=int, default=2, help="threads of the one-process layout")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--json", help="append the rows to this file")
    args = ap.parse_args()
    configs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs")
    rows = []
    with tempfile.TemporaryDirectory(prefix="convlab-dist-") as tmp:
        for name in args.cases:
            config, overrides = CASES[name]
            path = os.path.join(configs, config + ".json")
            for rep in range(args.repeats):
                for layout, ranks, threads, extra in layouts(name, args.threads):
                    s = run(args, path, overrides + extra, ranks, threads, os.path.join(tmp, "run"))
                    step = s["train_time_s"] / s["iterations"]
                    row = {"case": name, "config": config, "layout": layout, "ranks": ranks,
                           "threads_per_rank": threads, "repeat": rep, "iterations": s["iterations"],
                           "step_ms": round(1e3 * step, 2), "images_per_s": round(s["images_per_s"], 1),
                           "allreduce_ms_per_step": round(1e3 * s.get("allreduce_s", 0.0) / s["iterations"], 2),
                           "allreduce_share": round(s.get("allreduce_s", 0.0) / s["train_time_s"], 4),
                           "allreduce_bytes_per_step": s.get("allreduce_bytes_per_step", 0),
                           "device": s.get("device_name", "cpu")}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    for name in args.cases:
        base = [r["step_ms"] for r in rows if r["case"] == name and r["ranks"] == 1]
        for layout in sorted({r["layout"] for r in rows if r["case"] == name and r["ranks"] > 1}):
            other = [r["step_ms"] for r in rows if r["case"] == name and r["layout"] == layout]
            print("%s: %s step time / one process's: %.3f (medians of %d)" %
                  (name, layout, statistics.median(other) / statistics.median(base), len(other)))
    if args.json:
        append_rows(args.json, rows, " ".join(["bench/dist_scaling.py"] + sys.argv[1:]))


if __name__ == "__main__":
    main()
