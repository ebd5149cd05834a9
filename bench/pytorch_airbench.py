#!/usr/bin/env python3
"""airbench94 in PyTorch: the side-by-side anchor for convlab's airbench runs.

The network and training recipe of KellerJordan/cifar10-airbench's
legacy/airbench94.py, written again from its description: a frozen 2x2
patch-whitening conv (24 filters, bias trained for the first 3 epochs), GELU,
three conv groups (conv3x3 - maxpool 2 - batchnorm - GELU - conv3x3 -
batchnorm - GELU; widths 64/256/256), maxpool 3, linear 10 scaled by 1/9.
Label smoothing 0.2 (summed loss), Nesterov SGD (momentum 0.85, batch 1024,
decoupled lr 11.5 and wd 0.0153 per 1024 examples, batchnorm biases at 64x
lr), a warm-up/warm-down lr schedule, lookahead weight averaging every 5
steps, translate-2 (reflect) and alternating-flip augmentation, 9.9 epochs,
and test-time augmentation (mirror + 1-pixel translations, level 2).

CIFAR-10 is read from the original binary files (data_batch_1..5.bin,
test_batch.bin; scripts/make_cifar10.sh makes them) in --data DIR, else
$CONVLAB_CIFAR10_DIR, else data/cifar10. All images go into memory first
(uint8 -> normalised float32), so the timed part is the training loop
(augmentation per batch on the fly) plus the TTA evaluation. Float32
throughout; on CUDA TF32 is off unless --dtype tf32, and --dtype bf16 runs
the training and evaluation under bfloat16 autocast. Any Python with torch
and numpy runs it.

    python3 bench/pytorch_airbench.py --threads 2                       # airbench94, 9.9 epochs
    python3 bench/pytorch_airbench.py --widths 32 128 128 --epochs 0.5 --threads 2 --num-test 2000
    python3 bench/pytorch_airbench.py --device cuda --seeds 0 1 2 --json bench/results/airbench-DATE.json
    python3 bench/pytorch_airbench.py --layer-times --widths 32 128 128 --batch 256 --threads 2

--json FILE appends rows to FILE (made with a header of date, machine, torch
version and commands when missing). --layer-times times every conv layer of
the net (and its batchnorm+GELU and max pools) forward and backward at
--batch instead of training.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from results_json import append_rows, cpu_model

HYP = {
    "batch_size": 1024,
    "lr": 11.5,                # per 1024 examples
    "momentum": 0.85,
    "weight_decay": 0.0153,    # per 1024 examples
    "bias_scaler": 64.0,       # lr multiplier of the batchnorm biases (not of their decay)
    "label_smoothing": 0.2,
    "whiten_bias_epochs": 3,
    "translate": 2,
    "bn_momentum": 0.4,        # PyTorch's convention (airbench's 0.6 = 1 - 0.4)
    "bn_eps": 1e-12,
    "scale": 1.0 / 9.0,
    "whiten_eps": 5e-4,
    "whiten_images": 5000,
    "lookahead_every": 5,
}
TRAIN_FILES = ["data_batch_%d.bin" % i for i in range(1, 6)]
TEST_FILE = "test_batch.bin"
RECORD = 1 + 3072
FILE_BYTES = 10000 * RECORD


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

def data_dir(arg):
    d = arg or os.environ.get("CONVLAB_CIFAR10_DIR") or "data/cifar10"
    missing = []
    for name in TRAIN_FILES + [TEST_FILE]:
        p = os.path.join(d, name)
        if not os.path.isfile(p):
            missing.append(name)
        elif os.path.getsize(p) != FILE_BYTES:
            sys.exit("pytorch_airbench: %s has %d bytes, expected %d (10000 records of 1 + 3072 bytes)"
                     % (p, os.path.getsize(p), FILE_BYTES))
    if missing:
        sys.exit("pytorch_airbench: CIFAR-10 binary files missing in %s: %s\n"
                 "  give --data DIR or set CONVLAB_CIFAR10_DIR (scripts/make_cifar10.sh makes them)"
                 % (d, " ".join(missing)))
    return d


def read_batches(d, names):
    raw = np.concatenate([np.fromfile(os.path.join(d, n), dtype=np.uint8).reshape(-1, RECORD) for n in names])
    labels = torch.from_numpy(raw[:, 0].astype(np.int64))
    images = torch.from_numpy(np.ascontiguousarray(raw[:, 1:])).view(-1, 3, 32, 32)
    return images, labels


def load_cifar10(d, num_test):
    train_u8, train_y = read_batches(d, TRAIN_FILES)
    test_u8, test_y = read_batches(d, [TEST_FILE])
    train = train_u8.float().div_(255.0)
    mean = train.mean(dim=(0, 2, 3))
    std = train.std(dim=(0, 2, 3), unbiased=False)
    train.sub_(mean.view(1, 3, 1, 1)).div_(std.view(1, 3, 1, 1))
    test = test_u8[:num_test].float().div_(255.0).sub_(mean.view(1, 3, 1, 1)).div_(std.view(1, 3, 1, 1))
    return train, train_y, test, test_y[:num_test].clone(), mean, std


class Augmenter:
    """Translate by up to `pad` pixels (reflect padding, random crop per image) and alternating flip.

    Image i is flipped in epoch e iff (flip_base[i] + e) % 2 == 1, flip_base drawn once (p = 1/2):
    random flips in epoch 0, then each image alternates. Crop and flip are one gather.
    """

    def __init__(self, images, pad, generator):
        self.padded = F.pad(images, (pad,) * 4, mode="reflect") if pad > 0 else images
        self.pad = pad
        self.gen = generator
        self.flip_base = torch.randint(0, 2, (len(images),), generator=generator)
        self.ar = torch.arange(32)

    def batch(self, idx, epoch):
        n = len(idx)
        sy = torch.randint(0, 2 * self.pad + 1, (n,), generator=self.gen)
        sx = torch.randint(0, 2 * self.pad + 1, (n,), generator=self.gen)
        flip = ((self.flip_base[idx] + epoch) % 2 == 1).view(n, 1)
        cols = torch.where(flip, 31 - self.ar.view(1, 32), self.ar.view(1, 32)) + sx.view(n, 1)  # (n, 32)
        rows = self.ar.view(1, 32) + sy.view(n, 1)                                              # (n, 32)
        src = self.padded[idx]                                           # (n, 3, 36, 36)
        src = src.gather(2, rows.view(n, 1, 32, 1).expand(n, 3, 32, src.size(3)))
        return src.gather(3, cols.view(n, 1, 1, 32).expand(n, 3, 32, 32))


# ---------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------

def dirac_conv(cin, cout, k, padding, bias=False):
    conv = nn.Conv2d(cin, cout, k, padding=padding, bias=bias)
    with torch.no_grad():
        nn.init.dirac_(conv.weight[:cin])  # PyTorch's default init, then identity on the first cin filters
        if bias:
            conv.bias.zero_()
    return conv


def batchnorm(c):
    bn = nn.BatchNorm2d(c, eps=HYP["bn_eps"], momentum=HYP["bn_momentum"])
    bn.weight.requires_grad = False  # fixed at 1; only the bias trains
    return bn


class ConvGroup(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = dirac_conv(cin, cout, 3, 1)
        self.pool = nn.MaxPool2d(2)
        self.norm1 = batchnorm(cout)
        self.conv2 = dirac_conv(cout, cout, 3, 1)
        self.norm2 = batchnorm(cout)
        self.activ = nn.GELU()

    def forward(self, x):
        x = self.activ(self.norm1(self.pool(self.conv1(x))))
        return self.activ(self.norm2(self.conv2(x)))


class Mul(nn.Module):
    def __init__(self, scale):
        super().__init__()
        self.scale = scale

    def forward(self, x):
        return x * self.scale


def make_net(widths):
    w1, w2, w3 = widths
    net = nn.Sequential(
        dirac_conv(3, 24, 2, 0, bias=True),
        nn.GELU(),
        ConvGroup(24, w1),
        ConvGroup(w1, w2),
        ConvGroup(w2, w3),
        nn.MaxPool2d(3),
        nn.Flatten(),
        nn.Linear(w3, 10, bias=False),
        Mul(HYP["scale"]),
    )
    net[0].weight.requires_grad = False
    return net


def patch_covariance(images, chunk=500):
    """P^T P / n over the 2x2 patches (stride 1, no padding) of images, each flattened in (c, h, w) order."""
    cov = torch.zeros(12, 12, dtype=torch.float64)
    n = 0
    for x in images.split(chunk):
        p = x.unfold(2, 2, 1).unfold(3, 2, 1)                  # (N, 3, 31, 31, 2, 2)
        p = p.permute(0, 2, 3, 1, 4, 5).reshape(-1, 12).double()
        cov += p.T @ p
        n += p.size(0)
    return cov / n


def init_whitening(conv, images, eps):
    cov = patch_covariance(images)
    evals, evecs = torch.linalg.eigh(cov)
    order = torch.argsort(evals, descending=True)
    evals, evecs = evals[order], evecs[:, order]
    w = (evecs.T / torch.sqrt(evals + eps).view(12, 1)).reshape(12, 3, 2, 2)
    with torch.no_grad():
        conv.weight.copy_(torch.cat([w, -w]).float())
    return evals, cov


class Lookahead:
    """airbench's LookaheadState: an EMA of every float tensor of the state dict, copied back into the net."""

    def __init__(self, net):
        self.ema = {k: v.detach().clone() for k, v in net.state_dict().items()}

    @torch.no_grad()
    def update(self, net, decay):
        for k, v in net.state_dict().items():
            if v.is_floating_point():
                self.ema[k].lerp_(v, 1.0 - decay)
                v.copy_(self.ema[k])


# ---------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------

@torch.no_grad()
def infer(net, images, tta_level, batch, to_dev, autocast):
    """Logits of all images: level 0 plain, 1 mirror-averaged, 2 airbench's mirror + translate."""
    net.eval()

    def mirror(x):
        return 0.5 * net(x) + 0.5 * net(x.flip(-1))

    out = []
    for x in images.split(batch):
        x = to_dev(x)
        with autocast():
            if tta_level == 0:
                logits = net(x)
            elif tta_level == 1:
                logits = mirror(x)
            else:
                padded = F.pad(x, (1,) * 4, mode="reflect")
                translated = [mirror(padded[:, :, 0:32, 0:32]), mirror(padded[:, :, 2:34, 2:34])]
                logits = 0.5 * mirror(x) + 0.5 * torch.stack(translated).mean(0)
        out.append(logits.float())
    return torch.cat(out)


def accuracy(logits, labels):
    return (logits.argmax(1).cpu() == labels).float().mean().item()


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------

class Ctx:
    """Device, memory format and autocast of a run."""

    def __init__(self, args):
        self.device = torch.device(args.device)
        self.memory_format = torch.channels_last if args.memory_format == "channels_last" else torch.contiguous_format
        self.bf16 = args.dtype == "bf16"

    def to_dev(self, x):
        return x.to(self.device, non_blocking=True).contiguous(memory_format=self.memory_format)

    def autocast(self):
        if self.bf16:
            return torch.autocast(self.device.type, dtype=torch.bfloat16)
        return torch.autocast(self.device.type, enabled=False)

    def sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize()


def count_params(net):
    return sum(p.numel() for p in net.parameters())


def sanity(net, train, widths, ctx, evals, cov):
    trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
    print("params: %d (%d trainable)" % (count_params(net), trainable))
    x = ctx.to_dev(train[:2])
    shapes = []
    net.eval()  # no running-statistics update
    with torch.no_grad():
        for m in net:
            x = m(x)
            if isinstance(m, (nn.Conv2d, ConvGroup, nn.MaxPool2d, nn.Linear)):
                shapes.append("x".join(str(s) for s in x.shape[1:]))
    print("forward shapes: " + " -> ".join(shapes))
    w = net[0].weight.detach().cpu().double()[:12].reshape(12, 12)
    diag = torch.diagonal(w @ cov @ w.T)
    print("whitening eigenvalues: " + " ".join("%.3g" % e for e in evals.tolist()))
    print("covariance diagonal of the first 12 whitened channels: " + " ".join("%.4f" % d for d in diag.tolist()))


def train_run(args, data, seed, ctx):
    train, train_y, test, test_y = data
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    bs = args.batch
    momentum = HYP["momentum"]
    kilostep_scale = 1024 * (1 + 1 / (1 - momentum))
    lr = HYP["lr"] / kilostep_scale
    wd = HYP["weight_decay"] * bs / kilostep_scale
    lr_biases = lr * HYP["bias_scaler"]

    net = make_net(args.widths)
    t0 = time.perf_counter()
    evals, cov = init_whitening(net[0], train[:HYP["whiten_images"]], HYP["whiten_eps"])
    whiten_seconds = time.perf_counter() - t0
    net = net.to(ctx.device).to(memory_format=ctx.memory_format)
    if args.sanity:
        sanity(net, train, args.widths, ctx, evals, cov)

    norm_biases = [p for k, p in net.named_parameters() if "norm" in k and p.requires_grad]
    others = [p for k, p in net.named_parameters() if "norm" not in k and p.requires_grad]
    opt = torch.optim.SGD([dict(params=norm_biases, lr=lr_biases, weight_decay=wd / lr_biases),
                           dict(params=others, lr=lr, weight_decay=wd / lr)],
                          momentum=momentum, nesterov=True)
    steps_per_epoch = len(train) // bs
    total_steps = math.ceil(args.epochs * steps_per_epoch)
    knots = [0, int(0.23 * total_steps), total_steps]
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: float(np.interp(t, knots, [0.2, 1.0, 0.07])))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=HYP["label_smoothing"], reduction="sum")
    lookahead = Lookahead(net)
    aug = Augmenter(train, HYP["translate"], gen)

    ctx.sync()
    t_start = time.perf_counter()
    step = 0
    for epoch in range(math.ceil(args.epochs)):
        net[0].bias.requires_grad = epoch < HYP["whiten_bias_epochs"]
        net.train()
        perm = torch.randperm(len(train), generator=gen)
        loss_sum = torch.zeros((), device=ctx.device)
        correct = torch.zeros((), device=ctx.device, dtype=torch.long)
        seen = 0
        for i in range(steps_per_epoch):
            idx = perm[i * bs:(i + 1) * bs]
            x = ctx.to_dev(aug.batch(idx, epoch))
            y = train_y[idx].to(ctx.device, non_blocking=True)
            with ctx.autocast():
                out = net(x)
                loss = loss_fn(out.float(), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            with torch.no_grad():
                loss_sum += loss.detach()
                correct += (out.argmax(1) == y).sum()
            seen += len(idx)
            if step % HYP["lookahead_every"] == 0:
                lookahead.update(net, 0.95 ** 5 * (step / total_steps) ** 3)
            if step >= total_steps:
                # airbench: update(decay=1.0): the EMA stays and the net takes it
                lookahead.update(net, 1.0)
                break
        ctx.sync()
        print("epoch %2d  steps %4d  loss %.4f  train_acc %.4f  time %.1f s"
              % (epoch, step, loss_sum.item() / seen, correct.item() / seen, time.perf_counter() - t_start),
              flush=True)
        if step >= total_steps:
            break
    ctx.sync()
    train_seconds = time.perf_counter() - t_start

    t0 = time.perf_counter()
    acc_tta = accuracy(infer(net, test, 2, args.eval_batch, ctx.to_dev, ctx.autocast), test_y)
    ctx.sync()
    tta_seconds = time.perf_counter() - t0
    acc = accuracy(infer(net, test, 0, args.eval_batch, ctx.to_dev, ctx.autocast), test_y)
    widths = list(args.widths)
    config = {(64, 256, 256): "airbench94", (32, 128, 128): "airbench_cpu"}.get(tuple(widths), "custom")
    return {
        "framework": "pytorch", "config": config, "widths": widths, "seed": seed, "epochs": args.epochs,
        "threads": args.threads if ctx.device.type == "cpu" else None, "device": args.device,
        "dtype": args.dtype, "memory_format": args.memory_format, "steps": step, "num_test": len(test),
        "test_acc": acc, "test_acc_tta": acc_tta,
        "train_seconds": train_seconds, "total_seconds": train_seconds + tta_seconds,
        "whiten_init_seconds": whiten_seconds,
    }


# ---------------------------------------------------------------------------------------------
# Layer times
# ---------------------------------------------------------------------------------------------

def timed(fn, warmup, reps, sync, prep=None):
    ms = []
    for r in range(warmup + reps):
        arg = prep() if prep else None
        sync()
        t0 = time.perf_counter()
        fn(arg)
        sync()
        if r >= warmup:
            ms.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(ms)


def layer_times(args, ctx):
    w1, w2, w3 = args.widths
    n = args.batch
    dev, mf = ctx.device, ctx.memory_format
    torch.manual_seed(0)

    def rnd(*shape, grad=False):
        return torch.randn(*shape, device=dev).contiguous(memory_format=mf).requires_grad_(grad)

    # (name, C, H, W, F, k, pad, dx): the convs in order; H, W are the conv's input size.
    convs = [("whiten", 3, 32, 32, 24, 2, 0, True), ("whiten (dw only)", 3, 32, 32, 24, 2, 0, False),
             ("g1.conv1", 24, 31, 31, w1, 3, 1, True), ("g1.conv2", w1, 15, 15, w1, 3, 1, True),
             ("g2.conv1", w1, 15, 15, w2, 3, 1, True), ("g2.conv2", w2, 7, 7, w2, 3, 1, True),
             ("g3.conv1", w2, 7, 7, w3, 3, 1, True), ("g3.conv2", w3, 3, 3, w3, 3, 1, True)]
    rows = []
    for name, c, h, w, f, k, pad, dx in convs:
        conv = nn.Conv2d(c, f, k, padding=pad, bias=False).to(dev).to(memory_format=mf)
        x = rnd(n, c, h, w, grad=dx)
        with torch.no_grad(), ctx.autocast():
            y = conv(x)
        ho, wo = y.shape[2], y.shape[3]
        g = rnd(*y.shape)
        inputs = [x, conv.weight] if dx else [conv.weight]

        def fwd(_):
            with torch.no_grad(), ctx.autocast():
                conv(x)

        def prep():
            with ctx.autocast():
                return conv(x)

        def bwd(out):
            torch.autograd.grad(out, inputs, g)

        fwd_ms = timed(fwd, args.warmup, args.reps, ctx.sync)
        bwd_ms = timed(bwd, args.warmup, args.reps, ctx.sync, prep)
        flops = 2.0 * n * f * ho * wo * c * k * k
        bflops = flops * (2 if dx else 1)
        rows.append({"layer": name, "shape": [n, c, h, w, f, k], "fwd_ms": fwd_ms, "bwd_ms": bwd_ms,
                     "gflops_fwd": flops / fwd_ms / 1e6, "gflops_bwd": bflops / bwd_ms / 1e6,
                     "count": 0 if name == "whiten" else 1})

    # batchnorm + GELU (training mode) and the max pools, at the sizes they see in the net.
    # (name, kind, k, C, H=W, count in the net): count instances of that shape in one step.
    others = [("g1.pool", "pool", 2, w1, 31, 1), ("g1.bn+gelu", "bn", 0, w1, 15, 2),
              ("g2.pool", "pool", 2, w2, 15, 1), ("g2.bn+gelu", "bn", 0, w2, 7, 2),
              ("g3.pool", "pool", 2, w3, 7, 1), ("g3.bn+gelu", "bn", 0, w3, 3, 2), ("final pool3", "pool", 3, w3, 3, 1)]
    for name, kind, k, c, hw, count in others:
        if kind == "pool":
            mod = nn.MaxPool2d(k).to(dev)
        else:
            mod = nn.Sequential(batchnorm(c), nn.GELU()).to(dev)
        x = rnd(n, c, hw, hw, grad=True)
        with torch.no_grad():
            g = rnd(*mod(x).shape)

        def fwd(_):
            with torch.no_grad(), ctx.autocast():
                mod(x)

        def prep():
            with ctx.autocast():
                return mod(x)

        def bwd(out):
            torch.autograd.grad(out, [x], g)

        fwd_ms = timed(fwd, args.warmup, args.reps, ctx.sync)
        bwd_ms = timed(bwd, args.warmup, args.reps, ctx.sync, prep)
        rows.append({"layer": name, "shape": [n, c, hw, hw, c, k], "fwd_ms": fwd_ms, "bwd_ms": bwd_ms,
                     "gflops_fwd": None, "gflops_bwd": None, "count": count})

    print("layer times: widths %s, batch %d, %s, %s, threads %d, median of %d after %d warm-up"
          % ("/".join(map(str, args.widths)), n, args.device, args.memory_format, torch.get_num_threads(),
             args.reps, args.warmup))
    print("%-18s %-24s %9s %9s %11s %11s" % ("layer", "N,C,H,W,F,k", "fwd ms", "bwd ms", "GFLOP/s fwd", "GFLOP/s bwd"))
    for r in rows:
        gf = "" if r["gflops_fwd"] is None else "%11.1f %11.1f" % (r["gflops_fwd"], r["gflops_bwd"])
        shape = ",".join(map(str, r["shape"]))
        print("%-18s %-24s %9.3f %9.3f %s" % (r["layer"], shape, r["fwd_ms"], r["bwd_ms"], gf))
    convs_ms = [sum(r["count"] * r[key] for r in rows if r["gflops_fwd"] is not None) for key in ("fwd_ms", "bwd_ms")]
    rest_ms = [sum(r["count"] * r[key] for r in rows if r["gflops_fwd"] is None) for key in ("fwd_ms", "bwd_ms")]
    print("one step's layers (whiten dw only, bn+gelu x2 per group): convs fwd %.1f + bwd %.1f ms, "
          "bn/gelu/pool fwd %.1f + bwd %.1f ms, total %.1f ms"
          % (convs_ms[0], convs_ms[1], rest_ms[0], rest_ms[1], sum(convs_ms) + sum(rest_ms)))
    for r in rows:
        r.update({"framework": "pytorch", "mode": "layer_times", "widths": list(args.widths), "batch": n,
                  "threads": args.threads if ctx.device.type == "cpu" else None, "device": args.device,
                  "memory_format": args.memory_format, "dtype": args.dtype})
    return rows


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------

def command_line():
    argv = list(sys.argv[1:])
    for i, a in enumerate(argv):  # the data directory is this machine's; keep it out of the record
        if a == "--data" and i + 1 < len(argv):
            argv[i + 1] = "DIR"
        elif a.startswith("--data="):
            argv[i] = "--data=DIR"
    return " ".join(["bench/" + os.path.basename(sys.argv[0])] + argv)


def append_json(path, rows, ctx):
    header = {"torch": torch.__version__}
    if ctx.device.type == "cuda":
        header["gpu"] = torch.cuda.get_device_name(ctx.device)
    append_rows(path, rows, command_line(), header)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--widths", type=int, nargs=3, default=[64, 256, 256], metavar=("W1", "W2", "W3"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--epochs", type=float, default=9.9)
    ap.add_argument("--batch", type=int, default=HYP["batch_size"],
                    help="training batch (airbench: 1024; wd scales with it) and the --layer-times batch")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="CPU threads (default: one per core)")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--dtype", choices=["fp32", "tf32", "bf16"], default="fp32",
                    help="fp32 (default; TF32 off on CUDA), tf32 or bf16 autocast (CUDA only)")
    ap.add_argument("--memory-format", choices=["channels_last", "contiguous"], default="channels_last")
    ap.add_argument("--data", help="directory of the CIFAR-10 binary files "
                    "(default: $CONVLAB_CIFAR10_DIR, else data/cifar10)")
    ap.add_argument("--num-test", type=int, default=10000, help="test images to evaluate (default 10000)")
    ap.add_argument("--eval-batch", type=int, default=1000)
    ap.add_argument("--json", help="append the rows to this JSON file")
    ap.add_argument("--no-sanity", dest="sanity", action="store_false",
                    help="skip the parameter count, shapes and whitening check before the first run")
    ap.add_argument("--layer-times", action="store_true", help="time the net's layers instead of training")
    ap.add_argument("--warmup", type=int, default=2, help="--layer-times warm-up runs")
    ap.add_argument("--reps", type=int, default=10, help="--layer-times timed runs (median)")
    args = ap.parse_args()

    if args.device == "cuda":
        if not torch.cuda.is_available():
            sys.exit("pytorch_airbench: --device cuda but torch.cuda.is_available() is False")
        torch.backends.cudnn.benchmark = True
        torch.backends.cudnn.allow_tf32 = args.dtype == "tf32"
        torch.backends.cuda.matmul.allow_tf32 = args.dtype == "tf32"
    elif args.dtype != "fp32":
        sys.exit("pytorch_airbench: --dtype %s is for --device cuda only" % args.dtype)
    torch.set_num_threads(args.threads)
    ctx = Ctx(args)
    where = cpu_model() if args.device == "cpu" else torch.cuda.get_device_name()
    print("torch %s, %s (%s), %s, threads %d, %s"
          % (torch.__version__, args.device, where, args.dtype, torch.get_num_threads(), args.memory_format))

    if args.layer_times:
        rows = layer_times(args, ctx)
    else:
        d = data_dir(args.data)
        t0 = time.perf_counter()
        train, train_y, test, test_y, mean, std = load_cifar10(d, args.num_test)
        print("loaded %d train, %d test images in %.1f s; mean %s std %s"
              % (len(train), len(test), time.perf_counter() - t0,
                 " ".join("%.4f" % v for v in mean.tolist()), " ".join("%.4f" % v for v in std.tolist())))
        rows = []
        for seed in args.seeds:
            row = train_run(args, (train, train_y, test, test_y), seed, ctx)
            args.sanity = False
            print(json.dumps(row), flush=True)
            rows.append(row)
        if len(rows) > 1:
            accs = [r["test_acc_tta"] for r in rows]
            print("test_acc_tta over %d seeds: mean %.4f, std %.4f"
                  % (len(accs), statistics.mean(accs), statistics.stdev(accs)))
    if args.json:
        append_json(args.json, rows, ctx)


if __name__ == "__main__":
    main()
