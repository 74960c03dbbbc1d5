#!/usr/bin/env python3
"""Start-up benchmark: wall time from process start to exit on one small log.

usage: Benchmarks/scripts/startup.py PATTERNS LOG BINARY [BINARY…]

Runs `space-triage --version`, `patterns list`, `classify LOG` (for each BINARY: several compare
builds side by side) and `rg -c --no-unicode -f PATTERNS LOG` $STARTUP_RUNS times each (default
25), interleaved so that a busy machine slows all of them
alike, and prints each command's median and best wall time in milliseconds, its ratio to rg's
median, and its median CPU time (user + system, from wait4: less noisy than the wall time when
other builds share the cores).
Output goes to /dev/null; the exit status of the commands is not checked (classify exits with
the verdict). Also prints how many shared objects each binary loads (ldd).
"""

import os
import shutil
import statistics
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 64
    patterns, log, binaries = sys.argv[1], sys.argv[2], sys.argv[3:]
    runs = int(os.environ.get("STARTUP_RUNS", "25"))
    rg = shutil.which("rg")
    commands = []
    for binary in binaries:
        label = "space-triage" if len(binaries) == 1 else binary
        commands.append((f"{label} --version", [binary, "--version"]))
        commands.append((f"{label} patterns list", [binary, "patterns", "list"]))
        commands.append((f"{label} classify", [binary, "classify", log]))
    if rg:
        commands.append(("rg -c --no-unicode -f", [rg, "-c", "--no-unicode", "-f", patterns, log]))
    times = {name: [] for name, _ in commands}
    cpu = {name: [] for name, _ in commands}
    devnull = os.open(os.devnull, os.O_RDWR)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    for _ in range(runs):
        for name, argv in commands:
            start = time.perf_counter_ns()
            pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
            _, _, usage = os.wait4(pid, 0)
            times[name].append((time.perf_counter_ns() - start) / 1e6)
            cpu[name].append((usage.ru_utime + usage.ru_stime) * 1e3)
    print(f"start-up on {log} ({os.path.getsize(log)} bytes), median of {runs} runs")
    for binary in binaries:
        libraries = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout.count("\n")
        print(f"{binary} loads {libraries} shared objects (ldd)")
    width = max(len(name) for name, _ in commands)
    reference = statistics.median(times[commands[-1][0]]) if rg else None
    for name, _ in commands:
        median = statistics.median(times[name])
        ratio = f"{median / reference:5.2f}x rg" if reference else ""
        print(
            f"{name:{width}} {median:7.1f} ms median {min(times[name]):7.1f} ms best  {ratio}"
            f"  {statistics.median(cpu[name]):6.1f} ms CPU"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
