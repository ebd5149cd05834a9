#!/usr/bin/env python3
"""PyTorch baseline of convlab's training benchmarks.

Times one full training step (forward, loss, backward, Adam update) of the
models convlab benchmarks, in PyTorch:

  three_layer_convnet  conv 7x7 32 pad 3 - relu - max_pool 2 - affine 100 - relu - affine 10
  fc_bn                FullyConnectedNet, hidden [100]*5, batchnorm, on 3x32x32 inputs
  best                 configs/best.json: [conv3x3-bn-relu]x2-pool for 64/128/256 filters,
                       dropout (keep 0.7), affine 10

at batch 50 and 128 (best: 128), with Adam (lr 1e-3), softmax cross-entropy,
float32 with TF32 off (the arithmetic convlab's kernels do; --tf32 allows it),
or --precision tf32 (TF32 matmul and conv) or bf16 (autocast to bfloat16 on
CUDA: convs and matmuls in bf16, float32 weights and optimizer), the
counterparts of convlab's "precision" modes.
Modes: eager; CUDA graphs (the whole step captured once with torch.cuda.graphs
and replayed); torch.compile (where it works). Each step reads one of several
pre-made device batches in turn, so caches do not flatter. Timing: CUDA events
around each step after warm-up; median, quartiles, min/max over the steps;
ms/step and images/s. Without a GPU it runs eager on the CPU (host clock).

Writes JSON (schema "convlab-pytorch-baseline/1", see bench/README.md):
  python3 bench/pytorch_baseline.py --json bench/results/pytorch.json
"""
import argparse
import datetime
import json
import platform
import shlex
import statistics
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", default="three_layer_convnet,fc_bn,best",
                   help="comma-separated: three_layer_convnet, fc_bn, best")
    p.add_argument("--batches", default="50,128", help="batch sizes (best always uses 128)")
    p.add_argument("--modes", default="eager,cuda_graph,compile",
                   help="comma-separated: eager, cuda_graph, compile (the last two need CUDA)")
    p.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    p.add_argument("--steps", type=int, default=50, help="timed steps")
    p.add_argument("--sets", type=int, default=4, help="pre-made input batches used in turn")
    p.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
    p.add_argument("--tf32", action="store_true", help="allow TF32 matmul/conv (off by default; = --precision tf32)")
    p.add_argument("--precision", default="fp32", choices=["fp32", "tf32", "bf16"],
                   help="fp32; tf32 (TF32 matmul/conv); bf16 (autocast to bfloat16, CUDA only)")
    p.add_argument("--json", help="write the results to this file")
    args = p.parse_args(argv)
    if args.warmup < 1 or args.steps < 1 or args.sets < 1:
        p.error("--warmup, --steps and --sets must be at least 1")
    return args


def build_model(nn, name):
    if name == "three_layer_convnet":
        return nn.Sequential(
            nn.Conv2d(3, 32, 7, padding=3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 16 * 16, 100), nn.ReLU(), nn.Linear(100, 10))
    if name == "fc_bn":
        layers, d = [nn.Flatten()], 3 * 32 * 32
        for _ in range(5):
            layers += [nn.Linear(d, 100), nn.BatchNorm1d(100, eps=1e-5, momentum=0.1), nn.ReLU()]
            d = 100
        layers.append(nn.Linear(d, 10))
        return nn.Sequential(*layers)
    if name == "best":
        layers, c = [], 3
        for f in (64, 128, 256):
            for _ in range(2):
                layers += [nn.Conv2d(c, f, 3, padding=1), nn.BatchNorm2d(f), nn.ReLU()]
                c = f
            layers.append(nn.MaxPool2d(2))
        # convlab's dropout keeps with probability 0.7: PyTorch's p is the drop probability.
        layers += [nn.Dropout(p=0.3), nn.Flatten(), nn.Linear(256 * 4 * 4, 10)]
        return nn.Sequential(*layers)
    raise SystemExit(f"pytorch_baseline: unknown model '{name}' (known: three_layer_convnet, fc_bn, best)")


def summarize(ms):
    s = sorted(ms)
    q = statistics.quantiles(s, n=4, method="inclusive") if len(s) > 1 else [s[0]] * 3
    return {"median": statistics.median(s), "q1": q[0], "q3": q[2], "min": s[0], "max": s[-1],
            "mean": statistics.fmean(s)}


class Bench:
    def __init__(self, torch, args, device):
        self.torch, self.args, self.device = torch, args, device

    def make_step(self, model, opt, loss_fn):
        torch = self.torch
        bf16 = self.args.precision == "bf16"

        def step(x, y):
            opt.zero_grad(set_to_none=False)
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=bf16):
                loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss
        return step

    def batches(self, batch):
        torch = self.torch
        g = torch.Generator(device="cpu").manual_seed(231)
        xs = [torch.randn(batch, 3, 32, 32, generator=g).to(self.device) for _ in range(self.args.sets)]
        ys = [torch.randint(0, 10, (batch,), generator=g).to(self.device) for _ in range(self.args.sets)]
        return xs, ys

    def time_steps(self, run, n):
        """run(i) performs step i; returns per-step times in ms."""
        torch = self.torch
        out = []
        if self.device == "cuda":
            for i in range(n):
                start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
                run(i)
                stop.record()
                stop.synchronize()
                out.append(start.elapsed_time(stop))
        else:
            for i in range(n):
                t0 = time.perf_counter()
                run(i)
                out.append((time.perf_counter() - t0) * 1e3)
        return out

    def run(self, name, batch, mode):
        torch, nn, args = self.torch, self.torch.nn, self.args
        torch.manual_seed(0)
        model = build_model(nn, name).to(self.device).train()
        capturable = mode == "cuda_graph"
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, capturable=capturable) if capturable \
            else torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        xs, ys = self.batches(batch)
        step = self.make_step(model, opt, loss_fn)
        warm = args.warmup

        if mode == "eager":
            def run(i):
                step(xs[i % len(xs)], ys[i % len(ys)])
        elif mode == "compile":
            cstep = torch.compile(step)

            def run(i):
                cstep(xs[i % len(xs)], ys[i % len(ys)])
        elif mode == "cuda_graph":
            static_x, static_y = xs[0].clone(), ys[0].clone()
            # Warm up on a side stream (allocator, cuDNN algorithms, optimiser state), then capture.
            s = torch.cuda.Stream()
            s.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(s):
                for _ in range(3):
                    step(static_x, static_y)
            torch.cuda.current_stream().wait_stream(s)
            graph = torch.cuda.CUDAGraph()
            opt.zero_grad(set_to_none=False)
            with torch.cuda.graph(graph):
                step(static_x, static_y)

            def run(i):
                static_x.copy_(xs[i % len(xs)])
                static_y.copy_(ys[i % len(ys)])
                graph.replay()
        else:
            raise SystemExit(f"pytorch_baseline: unknown mode '{mode}' (known: eager, cuda_graph, compile)")

        t0 = time.perf_counter()
        self.time_steps(run, warm)
        warm_s = time.perf_counter() - t0
        ms = self.time_steps(run, args.steps)
        s = summarize(ms)
        return {"model": name, "batch": batch, "mode": mode, "device": self.device,
                "ms_per_step": s, "images_per_s": batch / (s["median"] / 1e3),
                "steps": args.steps, "warmup": warm, "warmup_s": warm_s,
                "params": sum(p.numel() for p in model.parameters())}


def main(argv):
    args = parse_args(argv)
    try:
        import torch
    except ImportError:
        sys.exit("pytorch_baseline: PyTorch is not installed (pip install torch)")
    if args.device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    else:
        device = args.device
    if device == "cuda" and not torch.cuda.is_available():
        sys.exit("pytorch_baseline: --device cuda but torch.cuda.is_available() is False")
    if args.tf32:
        args.precision = "tf32"
    if args.precision == "bf16" and device != "cuda":
        sys.exit("pytorch_baseline: --precision bf16 runs on CUDA only")
    args.tf32 = args.precision == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    torch.backends.cudnn.benchmark = True

    models = [m for m in args.models.split(",") if m]
    batches = [int(b) for b in args.batches.split(",") if b]
    modes = [m for m in args.modes.split(",") if m]
    bench = Bench(torch, args, device)
    rows = []
    for name in models:
        for batch in ([128] if name == "best" else batches):
            for mode in modes:
                if mode != "eager" and device != "cuda":
                    print(f"{name} b{batch} {mode}: skipped (needs CUDA)", file=sys.stderr)
                    continue
                try:
                    r = bench.run(name, batch, mode)
                except Exception as e:  # torch.compile may be unavailable (no Triton, no compiler)
                    r = {"model": name, "batch": batch, "mode": mode, "device": device,
                         "error": f"{type(e).__name__}: {e}".splitlines()[0][:500]}
                rows.append(r)
                if "error" in r:
                    print(f"{name:20s} b{batch:<4d} {mode:10s} error: {r['error']}", flush=True)
                else:
                    s = r["ms_per_step"]
                    print(f"{name:20s} b{batch:<4d} {mode:10s} {s['median']:9.3f} ms/step "
                          f"(IQR {s['q3'] - s['q1']:.3f}, min {s['min']:.3f}, max {s['max']:.3f})  "
                          f"{r['images_per_s']:10.0f} images/s", flush=True)

    doc = {"schema": "convlab-pytorch-baseline/1",
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "command": " ".join(shlex.quote(a) for a in [sys.argv[0]] + list(argv)),
           "device": {"device": device,
                      "name": torch.cuda.get_device_name(0) if device == "cuda" else platform.processor()},
           "torch": torch.__version__,
           "cuda": torch.version.cuda,
           "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
           "tf32": args.tf32,
           "precision": args.precision,
           "rows": rows}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
