"""`convlab train` from Python: a run config (docs/config.md) as a dict or a
JSON file, the same validation, printed lines and run folder as the command."""

import json
import os
import tempfile

from . import _convlab

__all__ = ["train"]


def train(config, *, overrides=(), device=None, out=None, overwrite=False):
    """Trains the run (or sweep) of `config`, a dict or the path of a JSON
    file. overrides: "key=value" changes (the command's --set); device: "cpu",
    "cuda" or "auto"; out: the run folder (else <output.dir>/<name>-<UTC time>).
    Returns {"status": 0 (ok) or 1 (a run stopped early), "folder": the run
    folder, "summary": its summary.json}. Bad input raises convlab.Error."""
    if isinstance(config, dict):
        config = dict(config)
        config.setdefault("output", {})
        config["output"] = dict(config["output"], name=config["output"].get("name", "run"))
        with tempfile.TemporaryDirectory(prefix="convlab-config-") as tmp:
            path = os.path.join(tmp, "config.json")
            with open(path, "w") as f:
                json.dump(config, f)
            return _run(path, overrides, device, out, overwrite)
    return _run(os.fspath(config), overrides, device, out, overwrite)


def _run(path, overrides, device, out, overwrite):
    status, folder = _convlab.train(path, [str(o) for o in overrides], device or "", os.fspath(out) if out else "",
                                    bool(overwrite))
    summary = None
    summary_path = os.path.join(folder, "summary.json") if folder else ""
    if summary_path and os.path.exists(summary_path):
        with open(summary_path) as f:
            summary = json.load(f)
    return {"status": status, "folder": folder, "summary": summary}
