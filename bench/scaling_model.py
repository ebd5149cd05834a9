#!/usr/bin/env python3
"""The step-time model of docs/scaling.md: data-parallel training on N GPUs.

    step(N) = compute(b) + allreduce(N)                  (no overlap: convlab today)
    step(N) = compute(b) / 3 + max(2 compute(b) / 3, allreduce(N))
                                   (the all-reduce overlapped with the backward
                                    pass, about 2/3 of the compute, layer by layer)

compute(b): the per-GPU batch b's forward and backward, scaled linearly from
a measured time at a reference batch, but never below a floor (kernel
launches and tiny kernels: a GPU is not faster on 2 images than on 16).

allreduce(N) of S bytes, NCCL's ring: 2 (N-1)/N S / busbw + 2 (N-1) alpha;
its tree (the latency-bound sizes at scale): 2 (N-1)/N S / busbw + 2 log2(N) alpha;
the model takes the faster of the two, as NCCL's tuner does.
busbw: NVLink inside a machine of 8 GPUs, InfiniBand between machines.

Prints the tables of docs/scaling.md; every input is a flag, so the tables
can be redone with convlab's own GPU step time once it is measured.

    python3 bench/scaling_model.py
"""
import argparse
import math


def allreduce_s(n, nbytes, busbw, alpha):
    if n == 1:
        return 0.0
    bw = 2.0 * (n - 1) / n * nbytes / busbw
    return bw + min(2 * (n - 1), 2 * math.ceil(math.log2(n))) * alpha


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grad-bytes", type=float, default=1971352 * 4, help="airbench94's float32 gradient")
    ap.add_argument("--global-batch", type=int, default=1024)
    ap.add_argument("--compute-ms", type=float, default=8.0,
                    help="one GPU's step at the global batch (default: airbench94 on an A100, 3.83 s / 476 steps)")
    ap.add_argument("--floor-ms", type=float, default=0.5, help="the least a step takes on one GPU")
    ap.add_argument("--nvlink-gbs", type=float, default=450.0, help="all-reduce bus bandwidth inside a machine")
    ap.add_argument("--ib-gbs", type=float, default=45.0, help="... between machines, per GPU (one 400 Gb/s NIC)")
    ap.add_argument("--alpha-us", type=float, default=8.0, help="latency of one all-reduce step")
    ap.add_argument("--per-gpu-batch", type=int, default=128, help="weak scaling's batch per GPU")
    args = ap.parse_args()
    alpha = args.alpha_us * 1e-6

    def compute_ms(b):
        return max(args.compute_ms * b / args.global_batch, args.floor_ms)

    def row(n, b):
        bw = (args.nvlink_gbs if n <= 8 else args.ib_gbs) * 1e9
        c = compute_ms(b)
        a = 1e3 * allreduce_s(n, args.grad_bytes, bw, alpha)
        step, overlapped = c + a, c / 3 + max(2 * c / 3, a)
        one = compute_ms(b * n)  # one GPU doing all n GPUs' images
        return "| %d | %g | %.3f | %.3f | %.0f%% | %.1fx | %.1fx |" % (
            n, b, c, a, 100 * a / step, one / step, one / overlapped)

    head = ("| GPUs | images per GPU | compute ms | all-reduce ms | all-reduce share | speed-up | "
            "speed-up, overlapped |\n| --- | --- | --- | --- | --- | --- | --- |")
    print("Strong scaling: the global batch of %d split over the GPUs\n" % args.global_batch)
    print(head)
    for n in (1, 8, 64, 512):
        print(row(n, args.global_batch / n))
    print("\nWeak scaling: %d images per GPU (global batch %d x GPUs)\n" % (args.per_gpu_batch, args.per_gpu_batch))
    print(head)
    for n in (1, 8, 64, 512):
        print(row(n, args.per_gpu_batch))


if __name__ == "__main__":
    main()
