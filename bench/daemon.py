#!/usr/bin/env python3
"""Daemon-mode harness (issue 5): `gateway start` to ready, `gateway restart` to ready, and
crash (kill -9 of the gateway) to back ready under the built-in supervisor.

usage: bench/daemon.py BINARY [--runs N] [--backoff-ms MS]

Each run uses a fresh temp state directory and a free loopback port.
- start: wall time of `BINARY gateway start` (it returns once /readyz answers 200).
- restart: wall time of `BINARY gateway restart` (returns once the new process is ready;
  under the supervisor that is exit 75 and a fresh process).
- crash: from SIGKILL of the gateway PID until /readyz answers 200 again (raw sockets,
  polled every 1 ms) from a new PID; includes the supervisor's backoff (daemon.backoffMs,
  default 1000 ms; pass --backoff-ms to see the mechanism without it).
Then `gateway stop`. Reports median, min, max per measure.
"""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time

from probes import free_port, ready


def lock_pid(home):
    try:
        with open(os.path.join(home, "gateway.lock")) as f:
            return json.load(f)["pid"]
    except (OSError, ValueError, KeyError):
        return None


def cli(binary, home, *args):
    start = time.perf_counter()
    # No timeout= here: with one, Python polls for the exit with growing sleeps (up to 50 ms)
    # and that granularity shows up in the figures.
    subprocess.run([binary, "gateway", *args, "--home", home], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def one_run(binary, backoff_ms):
    home = tempfile.mkdtemp(prefix="clawsharp-bench-")
    port = free_port()
    if backoff_ms is not None:
        with open(os.path.join(home, "config.json"), "w") as f:
            json.dump({"daemon": {"backoffMs": backoff_ms}}, f)
    try:
        start_ms = cli(binary, home, "start", "--port", str(port))
        restart_ms = cli(binary, home, "restart")
        old = lock_pid(home)
        t0 = time.perf_counter()
        os.kill(old, signal.SIGKILL)
        deadline = t0 + 30
        while not (lock_pid(home) not in (None, old) and ready(port)):
            if time.perf_counter() > deadline:
                raise RuntimeError("gateway did not come back")
            time.sleep(0.001)
        crash_ms = (time.perf_counter() - t0) * 1000
        return start_ms, restart_ms, crash_ms
    finally:
        subprocess.run([binary, "gateway", "stop", "--home", home],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(home, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--backoff-ms", type=int, default=None)
    args = parser.parse_args()
    results = [one_run(args.binary, args.backoff_ms) for _ in range(args.runs)]
    for name, values in zip(("start -> ready", "restart -> ready", "crash -> back ready"), zip(*results)):
        print(f"{name:22} median {statistics.median(values):8.1f} ms   min {min(values):8.1f}   max {max(values):8.1f}")


if __name__ == "__main__":
    sys.exit(main())
