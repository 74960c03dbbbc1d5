#!/usr/bin/env python3
"""Times several commands on one file, interleaved round by round, and prints the median wall
time, the best wall time and the median CPU time (user + system) of each.

usage: interleaved.py ROUNDS FILE 'LABEL=[VAR=VALUE ...] COMMAND {f} ...' ...

`{f}` stands for FILE. Interleaving (A B C, A B C, ...) spreads a shared machine's slow moments
over every command alike, which back-to-back runs (A A A, B B B) do not: use it to compare two
builds, or `--jobs 1` with `--jobs 2`.

example:
  Benchmarks/scripts/interleaved.py 15 big.log \\
    'j1=.build/release/space-triage classify --jobs 1 --format json {f}' \\
    'j2=.build/release/space-triage classify --jobs 2 --format json {f}'
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def parse(spec, path):
    label, command = spec.split("=", 1)
    words = shlex.split(command.replace("{f}", path))
    env = dict(os.environ)
    # Leading VAR=VALUE words set the command's environment.
    while words and "=" in words[0] and not words[0].startswith(("/", ".")):
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    return label, words, env


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    rounds, path = int(sys.argv[1]), sys.argv[2]
    commands = [parse(spec, path) for spec in sys.argv[3:]]
    walls = {label: [] for label, _, _ in commands}
    cpus = {label: [] for label, _, _ in commands}
    for _ in range(rounds):
        for label, words, env in commands:
            start = time.perf_counter()
            process = subprocess.Popen(words, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            _, _, usage = os.wait4(process.pid, 0)
            walls[label].append(time.perf_counter() - start)
            cpus[label].append(usage.ru_utime + usage.ru_stime)
    for label, _, _ in commands:
        print(
            f"{label:12s} wall median {statistics.median(walls[label]):.3f} s  best {min(walls[label]):.3f} s"
            f"  | CPU median {statistics.median(cpus[label]):.3f} s"
        )


if __name__ == "__main__":
    main()
