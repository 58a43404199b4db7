#!/usr/bin/env python3
"""state.db-wal over a long run (issue 18: "state.db-wal after 1M messages: bounded, stated").

usage: bench/wal-growth.py BINARY [--messages N] [--clients C] [--window W] [--idle-seconds S] [--bench PATH]

Starts the gateway (fresh state directory, log level warning) and pushes N echo messages through it
(default 1,000,000; pass a smaller N for a quick run) with `ClawSharp.Bench send`: C pipelined
WebSocket clients, at most W unanswered each. Samples the sizes of state.db-wal and state.db once a
second. Reports the WAL's largest and final size, state.db's final size, the time and the rate;
then S seconds idle and the WAL's size after them (does an idle gateway checkpoint and truncate?).
Prints a human summary and one JSON line; exit 1 on failure (an unanswered message included).
"""
import argparse, json, os, subprocess, sys, threading, time

from loadgen import DEFAULT_BENCH, run_send, start_gateway
from probes import rss_kib, stop_gateway


def size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


class Sampler:
    """Every second: (seconds since start, WAL bytes, state.db bytes, gateway RSS KiB)."""

    def __init__(self, home, pid):
        self.wal, self.db, self.pid = os.path.join(home, "state.db-wal"), os.path.join(home, "state.db"), pid
        self.samples, self.stop = [], threading.Event()
        self.start = time.monotonic()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def sample(self):
        s = (round(time.monotonic() - self.start, 1), size(self.wal), size(self.db), rss_kib(self.pid))
        self.samples.append(s)
        return s

    def _run(self):
        while not self.stop.wait(1.0):
            self.sample()

    def close(self):
        self.stop.set()
        self.thread.join()
        return self.sample()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--window", type=int, default=256)
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--bench", default=DEFAULT_BENCH)
    args = parser.parse_args()
    proc, home, port = start_gateway(args.binary)
    try:
        sampler = Sampler(home, proc.pid)
        started = time.monotonic()
        sent = run_send(args.bench, home, port, args.messages, args.clients, args.window)
        elapsed = time.monotonic() - started
        _, wal_end, db_end, rss_end = sampler.close()
        max_wal = max(s[1] for s in sampler.samples)
        time.sleep(args.idle_seconds)
        wal_idle = size(os.path.join(home, "state.db-wal"))
    finally:
        stop_gateway(proc, home)
    mib = lambda b: b / 1048576
    print(f"{args.messages} messages ({args.clients} clients, window {args.window}) in {elapsed:.0f} s -> {sent['msg_per_s']} msg/s")
    print(f"state.db-wal: max {mib(max_wal):.1f} MiB, at the end {mib(wal_end):.1f} MiB, after {args.idle_seconds:g} s idle {mib(wal_idle):.1f} MiB")
    print(f"state.db at the end: {mib(db_end):.1f} MiB; gateway RSS at the end: {rss_end / 1024:.1f} MiB")
    print(json.dumps({"figure": "wal_growth", "messages": args.messages, "clients": args.clients, "window": args.window,
                      "seconds": round(elapsed, 1), "msg_per_s": sent["msg_per_s"], "wal_max_bytes": max_wal, "wal_end_bytes": wal_end,
                      "wal_after_idle_bytes": wal_idle, "db_end_bytes": db_end, "rss_end_kib": rss_end,
                      "samples": [list(s) for s in sampler.samples[::max(1, len(sampler.samples) // 60)]]}))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        print(f"wal-growth.py: {e}", file=sys.stderr)
        sys.exit(1)
