"""What the Python benchmarks share: the machine's CPU name for the records,
and appending rows to a results JSON (bench/results/*.json) made with a
header of date, machine and commands when it is missing."""
import datetime
import json
import os
import platform


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def append_rows(path, rows, command, header=None):
    """Appends rows and the command to the JSON file at path; a new file gets
    {"date", "machine", **header, "commands": [], "rows": []}."""
    if os.path.exists(path):
        with open(path) as f:
            doc = json.load(f)
    else:
        doc = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
               "machine": cpu_model(), **(header or {}), "commands": [], "rows": []}
    doc.setdefault("commands", []).append(command)
    doc.setdefault("rows", []).extend(rows)
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
