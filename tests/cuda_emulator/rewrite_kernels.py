#!/usr/bin/env python3
"""Rewrites convlab's CUDA sources into C++ for the CUDA emulator.

Usage: rewrite_kernels.py SOURCE_ROOT OUTPUT_ROOT FILE...

Each FILE (relative to SOURCE_ROOT, a .cu or .cuh under kernels/) is written
under OUTPUT_ROOT with two rewrites, everything else left as it is:
  kernel<<<grid, block>>>(args)
      -> ::convlab_emu::launch("kernel", grid, block)(
             [&](auto&&... a) { kernel(a...); }, args)
     (a generic lambda, so that template arguments are deduced from the
     call as nvcc does; with a shared-memory size, launch_with_kernel also
     gets the kernel's address, to check the cudaFuncSetAttribute limit)
  extern __shared__ [__align__(n)] T name[];
      -> T* name = reinterpret_cast<T*>(::convlab_emu::dynamic_shared());
A .cu file becomes NAME.cu.cpp, so that the C++ compiler takes it, and starts
with the #include <cuda_runtime.h> that nvcc implies; a #line directive keeps
diagnostics pointing at the original file. Files whose
content would not change are not touched (no needless rebuilds).
"""
import pathlib
import re
import sys

LAUNCH = re.compile(
    r"(?P<kernel>\b[A-Za-z_]\w*(?:\s*<[^<>;{}]*>)?)\s*<<<(?P<config>.*?)>>>\s*\(",
    re.DOTALL,
)
NO_ARGS = re.compile(r"\s*\)")
EXTERN_SHARED = re.compile(
    r"extern\s+__shared__\s+(?:__align__\(\s*\d+\s*\)\s+)?(?P<type>[A-Za-z_][\w:]*(?:\s+[A-Za-z_][\w:]*)*)\s+"
    r"(?P<name>\w+)\s*\[\s*\]\s*;"
)


def top_level_items(config: str) -> list:
    """Splits a launch configuration at the commas outside brackets."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(config):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(config[start:i])
            start = i + 1
    items.append(config[start:])
    return items


def rewrite(text: str) -> str:
    def launch(m: re.Match) -> str:
        kernel = m.group("kernel")
        name = " ".join(kernel.split())
        config = m.group("config")
        no_args = NO_ARGS.match(text, m.end()) is not None
        call = f"[&](auto&&... convlab_emu_a) {{ {kernel}(convlab_emu_a...); }}" + ("" if no_args else ", ")
        if len(top_level_items(config)) >= 3:
            return f'::convlab_emu::launch_with_kernel("{name}", {kernel}, {config})({call}'
        return f'::convlab_emu::launch("{name}", {config})({call}'

    def shared(m: re.Match) -> str:
        t, n = m.group("type"), m.group("name")
        return f"{t}* {n} = reinterpret_cast<{t}*>(::convlab_emu::dynamic_shared());"

    return EXTERN_SHARED.sub(shared, LAUNCH.sub(launch, text))


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    src_root, out_root = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    for rel in sys.argv[3:]:
        src = src_root / rel
        out = out_root / (rel + ".cpp" if rel.endswith(".cu") else rel)
        implied = "#include <cuda_runtime.h>\n" if rel.endswith(".cu") else ""
        text = implied + f'#line 1 "{rel}"\n' + rewrite(src.read_text())
        if "<<<" in text:
            print(f"{rel}: a launch the rewrite did not understand", file=sys.stderr)
            return 1
        out.parent.mkdir(parents=True, exist_ok=True)
        if not out.exists() or out.read_text() != text:
            out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
