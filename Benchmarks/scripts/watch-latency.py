#!/usr/bin/env python3
"""Measures live-mode latency: how long after a failure line is written into
`space-triage watch --format ndjson` its finding event comes out.

The script starts the watch with a pipe as standard input, writes a realistic Space log into it
one line at a time (a short pause between lines, as a live log arrives), and reads the watch's
standard output on another thread. For every failure line it records the time from writing the
line to reading the `{"event": "finding", "line": N}` event for it. The budget is 50 ms per
finding (issue 5); the script prints each latency and a summary and exits 1 if a finding is
missing or over budget.

By default the watch uses a small catalog written by this script (ids of the bundled catalog), so the
measurement does not depend on the state of the bundled catalog; --builtin uses the bundled one.

usage: watch-latency.py [--binary PATH] [--builtin] [--pause MS] [--rounds N]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

CATALOG = r"""schema: 1
signatures:
  - id: build.pip-no-matching-distribution
    title: No matching distribution for a pinned package
    stage: build
    class: persistent
    priority: 80
    pattern: 'No matching distribution found for (?<package>[^\s]+)'
    advice: [{action: pin-dependencies, text: 'Pin `{package}` to a version that exists.'}]
    must-match: ['ERROR: No matching distribution found for torch==2.9.9']
    must-not-match: ['Looking for a matching distribution of torch']
  - id: runtime.cuda-oom
    title: CUDA out of memory
    stage: running
    class: persistent
    priority: 70
    pattern: 'CUDA out of memory'
    advice: [{action: reduce-memory, text: Use a smaller batch or model.}]
    must-match: ['torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB']
    must-not-match: ['memory ok']
  - id: runtime.memory-limit
    title: Memory limit exceeded
    stage: running
    class: persistent
    priority: 70
    pattern: 'Memory limit exceeded \('
    advice: [{action: upgrade-hardware, text: Use less memory or more hardware.}]
    must-match: ['Memory limit exceeded (32Gi)']
    must-not-match: ['memory ok']
  - id: scheduling.no-capacity
    title: No hardware capacity
    stage: scheduling
    class: transient
    pattern: 'Scheduling failure: not enough hardware capacity'
    advice: [{action: retry-once, text: Retry once.}]
    must-match: ['Scheduling failure: not enough hardware capacity']
    must-not-match: ['Scheduling ok']
  - id: stage.app
    title: App banner
    stage: startup
    class: info
    effect: app-attempt
    pattern: '===== Application Startup'
    must-match: ['===== Application Startup at 2026-01-01 00:00:00 =====']
    must-not-match: ['Application']
  - id: stage.build
    title: Build banner
    stage: build
    class: info
    effect: build-attempt
    pattern: '===== Build Queued at'
    must-match: ['===== Build Queued at 2026-01-01 00:00:00 / Commit SHA: abc1234 =====']
    must-not-match: ['Build']
  - id: stage.running
    title: Running
    stage: running
    class: info
    pattern: 'Running on local URL'
    must-match: ['* Running on local URL:  http://0.0.0.0:7860']
    must-not-match: ['Running']
  - id: startup.module-not-found
    title: Module not found
    stage: startup
    class: persistent
    priority: 70
    pattern: 'No module named ''(?<module>[^'']+)'''
    advice: [{action: add-dependency, text: 'Add `{module}` to requirements.txt.'}]
    must-match: ["ModuleNotFoundError: No module named 'einops'"]
    must-not-match: ['module ok']
  - id: zerogpu.no-cuda-gpus
    title: No CUDA GPUs are available (ZeroGPU)
    stage: running
    class: transient
    priority: 70
    pattern: 'No CUDA GPUs are available'
    advice: [{action: retry-once, text: Retry the request once.}]
    must-match: ['RuntimeError: No CUDA GPUs are available']
    must-not-match: ['GPUs ok']
"""

NOISE = [
    "Collecting numpy>=1.24",
    "  Downloading numpy-2.1.3-cp310-cp310-manylinux_2_17_x86_64.whl (16.3 MB)",
    "Successfully installed numpy-2.1.3 pillow-11.0.0",
    "DONE 12.3s",
    "INFO:     Started server process [1]",
    "Loading checkpoint shards: 100%|##########| 4/4 [00:03<00:00,  1.02it/s]",
    "/usr/local/lib/python3.10/site-packages/torch/cuda/__init__.py:654: UserWarning: Can't initialize NVML",
    "",
]


def attempt_lines(number):
    """One build and start-up attempt with a failure of each kind (each id once per attempt)."""
    minute = 10 * number
    lines = [("===== Build Queued at 2026-04-15 09:%02d:01 / Commit SHA: e9e3061 =====" % minute, False)]
    lines += [(n, False) for n in NOISE[:4]]
    lines += [("ERROR: No matching distribution found for torch==2.9.%d" % number, True)]
    lines += [("===== Application Startup at 2026-04-15 10:%02d:00 =====" % minute, False)]
    lines += [(n, False) for n in NOISE[4:7]]
    lines += [("ModuleNotFoundError: No module named 'einops'", True)]
    lines += [("Scheduling failure: not enough hardware capacity", True)]
    lines += [("* Running on local URL:  http://0.0.0.0:7860", False)]
    lines += [(n, False) for n in NOISE]
    lines += [("RuntimeError: No CUDA GPUs are available", True)]
    lines += [("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", True)]
    lines += [("Memory limit exceeded (32Gi)", True)]
    return lines


def find_binary(explicit):
    if explicit:
        return explicit
    for configuration in ("release", "debug"):
        path = os.path.join(ROOT, ".build", configuration, "space-triage")
        if os.access(path, os.X_OK):
            return path
    sys.exit("no space-triage binary: run `swift build -c release` or pass --binary PATH")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", help="the space-triage executable (default .build/release, then .build/debug)")
    parser.add_argument("--builtin", action="store_true", help="use the bundled catalog instead of the script's")
    parser.add_argument("--pause", type=float, default=20.0, help="milliseconds between lines (default 20)")
    parser.add_argument("--rounds", type=int, default=3, help="attempts in the log (default 3)")
    parser.add_argument("--budget", type=float, default=50.0, help="milliseconds allowed per finding (default 50)")
    options = parser.parse_args()

    arguments = [find_binary(options.binary), "watch", "--format", "ndjson"]
    scratch = tempfile.TemporaryDirectory(prefix="watch-latency-")
    if not options.builtin:
        with open(os.path.join(scratch.name, "latency.yaml"), "w") as handle:
            handle.write(CATALOG)
        arguments += ["--no-builtin", "--patterns", scratch.name]

    log = []
    for number in range(1, options.rounds + 1):
        log += attempt_lines(number)

    written = {}  # line number -> time written
    arrived = {}  # line number -> (time read, id)
    process = subprocess.Popen(arguments, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)

    def reader():
        buffered = b""
        while True:
            chunk = os.read(process.stdout.fileno(), 65536)
            now = time.perf_counter()
            if not chunk:
                return
            buffered += chunk
            while b"\n" in buffered:
                line, buffered = buffered.split(b"\n", 1)
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("event") == "finding":
                    arrived.setdefault(event["line"], (now, event["id"]))

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    time.sleep(0.5)  # let the watch load its catalog before the clock starts
    for number, (text, _) in enumerate(log, start=1):
        data = (text + "\n").encode()
        written[number] = time.perf_counter()
        os.write(process.stdin.fileno(), data)
        time.sleep(options.pause / 1000)
    time.sleep(0.5)
    process.stdin.close()
    status = process.wait(timeout=30)
    thread.join(timeout=5)

    latencies = []
    missing = []
    print("%6s  %-36s %9s" % ("line", "finding", "latency"))
    for number, (text, failure) in enumerate(log, start=1):
        if not failure:
            continue
        if number not in arrived:
            missing.append(number)
            print("%6d  %-36s %9s" % (number, "(none)", "MISSING"))
            continue
        at, identifier = arrived[number]
        milliseconds = (at - written[number]) * 1000
        latencies.append(milliseconds)
        print("%6d  %-36s %7.2f ms" % (number, identifier, milliseconds))

    if latencies:
        ordered = sorted(latencies)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        print("\n%d findings: min %.2f ms, median %.2f ms, p95 %.2f ms, max %.2f ms (budget %.0f ms); exit status %d"
              % (len(ordered), ordered[0], ordered[len(ordered) // 2], p95, ordered[-1], options.budget, status))
    over = [value for value in latencies if value >= options.budget]
    if missing or over or not latencies:
        print("FAIL: %d missing, %d over budget" % (len(missing), len(over)))
        return 1
    print("PASS: every finding within %.0f ms of its line" % options.budget)
    return 0


if __name__ == "__main__":
    sys.exit(main())
