#!/usr/bin/env python3
"""Whole-process start-up harness: exec -> first 200 on /readyz, and idle RSS once ready.

usage: bench/startup.py BINARY [--runs N] [--idle-seconds S] [--launcher PROGRAM]

Each run: a fresh temp state directory, a free loopback port, `BINARY gateway run`, /readyz
polled over raw sockets every 1 ms until it answers 200 (the time counts from just before
exec), then S seconds idle and VmRSS from /proc, then SIGTERM. Reports median, min, max.
--launcher runs `PROGRAM BINARY gateway run ...` instead, for a launcher that execs (so the PID and
its RSS are the gateway's): scripts/qemu-arm64.sh runs the linux-arm64 build under emulation.
"""
import argparse, os, statistics, subprocess, sys, tempfile, time

from probes import free_port, ready, rss_kib, stop_gateway



def one_run(binary, idle, launcher=None):
    home = tempfile.mkdtemp(prefix="clawsharp-bench-")
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(([launcher] if launcher else []) + [binary, "gateway", "run", "--home", home, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = start + 30
        while not ready(port):
            if proc.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError("gateway did not become ready")
            time.sleep(0.001)
        elapsed_ms = (time.perf_counter() - start) * 1000
        time.sleep(idle)
        rss = rss_kib(proc.pid)
        return elapsed_ms, rss
    finally:
        stop_gateway(proc, home)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--idle-seconds", type=float, default=1.0)
    parser.add_argument("--launcher", default=None)
    args = parser.parse_args()
    one_run(args.binary, 0, args.launcher)  # warm the page cache; not counted
    times, rss = [], []
    for _ in range(args.runs):
        t, r = one_run(args.binary, args.idle_seconds, args.launcher)
        times.append(t)
        rss.append(r)
    print(f"binary: {args.binary}")
    print(f"runs: {args.runs}")
    print(f"exec->ready ms: median {statistics.median(times):.1f}  min {min(times):.1f}  max {max(times):.1f}")
    print(f"idle RSS MiB:   median {statistics.median(rss)/1024:.1f}  min {min(rss)/1024:.1f}  max {max(rss)/1024:.1f}")


if __name__ == "__main__":
    sys.exit(main())
