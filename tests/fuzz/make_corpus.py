#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora, tests/fuzz/corpus/<target>/: small valid inputs
and the known-bad cases each reader must refuse with a convlab::Error.

All data is synthetic (nothing from the datasets folder). The output is checked in; rerun
this after changing it:  python3 tests/fuzz/make_corpus.py
Reproducers of crashes found by fuzzing go to corpus/<target>/ as regression seeds by
hand (named crash-*, timeout-*, oom-*); this script leaves them alone.
"""
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def config():
    # A few small configs of configs/, as they are.
    for name in ["overfit_small.json", "housing_sgd.json", "bn_weight_scale_sweep.json", "housing_sgd_sweep.json"]:
        shutil.copyfile(os.path.join(ROOT, "configs", name), os.path.join(CORPUS, "config", name))
    small = {"data": {"num_train": 50}, "model": {"type": "fc_net", "hidden_dims": [8], "normalization": "batchnorm"},
             "solver": {"update_rule": "sgd_momentum", "optim_config": {"learning_rate": 0.01, "momentum": 0.9},
                        "num_epochs": 1, "batch_size": 10}, "device": "cpu", "output": {"name": "fuzz"}}
    write("config", "fc_small.json", json.dumps(small, indent=1) + "\n")
    write("config", "overrides.txt", "--set solver.num_epochs=2\n--set solver.update_rule=adam\n"
          "--set model.hidden_dims.0=16\n--set device=cpu\n" + json.dumps(small) + "\n")
    # Known bad: each must be a convlab::Error.
    write("config", "bad_hidden_dims_override.txt",
          "--set model.hidden_dims=[4611686018427387904]\n" + json.dumps(small) + "\n")
    write("config", "bad_1e999.json", '{"model": {"type": "fc_net"}, "solver": {"lr_decay": 1e999}}\n')
    write("config", "bad_1e999_override.txt",
          "--set solver.optim_config.learning_rate=1e999\n" + json.dumps(small) + "\n")
    # Deep nesting: 10,000 levels (20 KB) overflow the stack of an ASan build where a
    # config is copied or printed; 3,000 did not.
    deep = 10000
    write("config", "bad_deep_arrays.json",
          '{"model": {"type": "fc_net", "hidden_dims": ' + "[" * deep + "]" * deep + "}}\n")
    write("config", "bad_deep_objects_sweep.json", '{"sweep": {"model.x": [' + '{"a":' * (deep // 2) + "1" +
          "}" * (deep // 2) + "]}}\n")
    write("config", "bad_deep_override.txt",
          "--set model.x=" + "[" * deep + "]" * deep + "\n" + json.dumps(small) + "\n")
    write("config", "bad_sweep_logspace_400.json", '{"sweep": {"x": {"logspace": [-2, 400, 2]}}}\n')
    write("config", "bad_sweep_1e8_points.json",
          '{"model": {"type": "fc_net"}, "sweep": {"solver.seed": {"linspace": [0, 1, 10000]},'
          ' "solver.batch_size": {"linspace": [1, 100, 10000]}}}\n')


def libsvm():
    write("libsvm", "small.libsvm", "1.5 1:0.1 3:2.5 13:1\n-2 2:1e-3\n# a comment\n\n"
          "0 " + " ".join(f"{i}:{i * 0.5}" for i in range(1, 14)) + "\n24.0 5:-1.25e2 7:3 # trailing comment\n")
    write("libsvm", "crlf_tabs.libsvm", "3\t1:1\t2:2\r\n4 1:-1 13:0.5\r\n")
    write("libsvm", "wide.libsvm", "1 1:1 13:1\n2 14:2\n")  # index 14: refused with num_features 13
    # Known bad.
    write("libsvm", "bad_index_2_62.libsvm", "1 4611686018427387904:1\n")
    write("libsvm", "bad_index_20000.libsvm", "1 20000:1\n2 1:1 19999:2 20000:3\n")
    write("libsvm", "bad_index_overflow.libsvm", "1 9223372036854775808:1\n1 0:1\n1 -3:1\n")
    write("libsvm", "bad_values.libsvm", "nan 1:1\n1 1:inf\n1 1:1e999\n1 2:1 1:2\n1 1:\n")


def cifar10():
    rec = []
    for i, label in enumerate([0, 9, 5]):
        rec.append(bytes([label]) + bytes((i * 7 + j) % 256 for j in range(3072)))
    good = b"".join(rec)
    write("cifar10", "three_records.bin", good)
    # Known bad: wrong size, bad label.
    write("cifar10", "bad_size_3072.bin", good[:3072])
    write("cifar10", "bad_size_3074.bin", good[:3074])
    write("cifar10", "bad_empty.bin", b"")
    write("cifar10", "bad_label_10.bin", bytes([10]) + good[1:3073])


def st_file(entries, data, metadata=None, pad=True, header_len=None, edit=None):
    """entries: list of (name, dtype, shape, [begin, end]); offsets may be anything JSON."""
    header = {}
    for name, dtype, shape, offsets in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": offsets}
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    if edit:  # (old, new): raw text JSON cannot express, such as 1e999
        h = h.replace(*edit)
    while pad and len(h) % 8:
        h += b" "
    n = len(h) if header_len is None else header_len
    return struct.pack("<Q", n) + h + data


# The fuzz target's model: fc_net, input_dim 4, hidden_dims [8], num_classes 3, batchnorm.
MODEL = [("W1", (4, 8)), ("b1", (8,)), ("beta1", (8,)), ("gamma1", (8,)), ("running_mean1", (8,)),
         ("running_var1", (8,)), ("W2", (8, 3)), ("b2", (3,))]


def st_model(dtype="F32", pack="<f", override=None):
    entries, data = [], b""
    for name, shape in MODEL:
        n = 1
        for s in shape:
            n *= s
        begin = len(data)
        value = (lambda k: k % 5) if pack == "<i" else (lambda k: 0.25 * (k % 5))
        data += b"".join(struct.pack(pack, value(k)) for k in range(n))
        entry = [name, dtype, list(shape), [begin, len(data)]]
        if override and name in override:
            entry = override[name](entry)
        entries.append(tuple(entry))
    return entries, data


def safetensors():
    e, d = st_model()
    write("safetensors", "model_f32.safetensors", st_file(e, d, {"format": "pt", "epoch": "3"}))
    e, d = st_model("F64", "<d")
    write("safetensors", "model_f64.safetensors", st_file(e, d))
    write("safetensors", "one_u8.safetensors", st_file([("x", "U8", [2, 2], [0, 4])], b"\x01\x02\x03\x04", pad=False))
    write("safetensors", "empty_header.safetensors", st_file([], b""))
    # I32 for the model's F32 tensors: loads, and load_state converts or refuses.
    e, d = st_model("I32", "<i")
    write("safetensors", "model_i32.safetensors", st_file(e, d))
    # Known bad.
    write("safetensors", "bad_header_longer_than_file.safetensors",
          st_file([("x", "U8", [1], [0, 1])], b"\x00", header_len=1 << 20))
    write("safetensors", "bad_header_len_2_64.safetensors", struct.pack("<Q", (1 << 64) - 1) + b"{}      ")
    write("safetensors", "bad_offsets_strings.safetensors", st_file([("b2", "F32", [3], ["0", "12"])], bytes(12)))
    write("safetensors", "bad_offsets_negative.safetensors", st_file([("b2", "F32", [3], [-12, 0])], bytes(12)))
    write("safetensors", "bad_offsets_1e999.safetensors",
          st_file([("b2", "F32", [3], [0, 12])], bytes(12), edit=(b"12]", b"1e999]")))
    write("safetensors", "bad_shape_overflow.safetensors",
          st_file([("W1", "F32", [4611686018427387905, 1, 2, 2], [0, 16])], bytes(16)))
    write("safetensors", "bad_shape_negative.safetensors", st_file([("W1", "F32", [-4, -8], [0, 128])], bytes(128)))
    # Offsets that wrap around 2^64: begin + 8 + header length lands just below 2^64 (before
    # the data), end + 8 + header length wraps to a small number (inside the file).
    h_len = 0
    for _ in range(10):  # the header's length depends on the offsets' digits: iterate to a fixed point
        begin = (1 << 64) - (8 + h_len) - 4
        f = st_file([("b2", "F32", [2], [begin, begin + 8])], bytes(8))
        if struct.unpack("<Q", f[:8])[0] == h_len:
            break
        h_len = struct.unpack("<Q", f[:8])[0]
    else:
        raise SystemExit("could not build bad_offsets_wrap.safetensors")
    write("safetensors", "bad_offsets_wrap.safetensors", f)


if __name__ == "__main__":
    for target in ["config", "libsvm", "cifar10", "safetensors"]:
        d = os.path.join(CORPUS, target)
        os.makedirs(d, exist_ok=True)
        # Regenerate the made files; keep the saved reproducers (crash-*, timeout-*, oom-*).
        for name in os.listdir(d):
            if not name.startswith(("crash-", "timeout-", "oom-")):
                os.remove(os.path.join(d, name))
    config()
    libsvm()
    cifar10()
    safetensors()
