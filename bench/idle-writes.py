#!/usr/bin/env python3
"""Disk writes of an idle gateway (issue 18: "0 bytes/min after start settles").

usage: bench/idle-writes.py BINARY [--settle-seconds S] [--window-seconds W] [--daemon] [--runs R]

Each run: a fresh state directory with the default configuration and a free port; `BINARY gateway run` (or, with --daemon,
`BINARY gateway start`, which leaves a supervisor and its gateway), /readyz answers 200, then S
seconds to settle, then W seconds with nobody connected while /proc/PID/io is read every
second. Reports per minute, for the gateway and (--daemon) the supervisor:
- write_bytes: bytes this process caused to be written to storage (the SD-card wear figure);
- wchar: bytes passed to write-type syscalls (files, pipes, sockets; includes the page cache);
- syscw: write-type syscalls.
Also how much state.db, state.db-wal and the logs directory grew over the window, and which
files in the state directory were modified in it (mtime). The window defaults to 60 s, and to
330 s with --daemon: the supervisor refreshes daemon.json's RSS sample at least every 5 minutes
(GatewayMemory.MaxRecordAge), and a shorter window would miss that write.
Prints medians over the runs and one JSON line; exit 1 on failure.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

from loadgen import proc_io, start_gateway, wait_ready

# The operator's defaults (log level information included): what an idle gateway writes as shipped.
DEFAULTS = {}
from probes import free_port, stop_gateway

FIELDS = ("write_bytes", "wchar", "syscw")


def files_size(home):
    sizes = {}
    for name in ("state.db", "state.db-wal"):
        path = os.path.join(home, name)
        sizes[name] = os.path.getsize(path) if os.path.exists(path) else 0
    logs = os.path.join(home, "logs")
    sizes["logs"] = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(logs) for f in fs) if os.path.isdir(logs) else 0
    return sizes


def mtimes(home):
    return {os.path.relpath(os.path.join(d, f), home): os.stat(os.path.join(d, f)).st_mtime_ns
            for d, _, fs in os.walk(home) for f in fs}


def watch(pids, home, settle, window):
    time.sleep(settle)
    first = {name: proc_io(pid) for name, pid in pids.items()}
    sizes0 = files_size(home)
    stamps0 = mtimes(home)
    timeline = []
    start = time.monotonic()
    while (elapsed := time.monotonic() - start) < window:
        time.sleep(min(1.0, window - elapsed))
        now = {name: proc_io(pid) for name, pid in pids.items()}
        timeline.append({name: now[name]["write_bytes"] - first[name]["write_bytes"] for name in pids})
    minutes = (time.monotonic() - start) / 60
    last = {name: proc_io(pid) for name, pid in pids.items()}
    sizes1 = files_size(home)
    per_min = {name: {f: (last[name][f] - first[name][f]) / minutes for f in FIELDS} for name in pids}
    growth = {k: sizes1[k] - sizes0[k] for k in sizes0}
    modified = sorted(f for f, t in mtimes(home).items() if stamps0.get(f) != t)
    return per_min, growth, modified


def foreground_run(args):
    proc, home, _ = start_gateway(args.binary, DEFAULTS)
    try:
        return watch({"gateway": proc.pid}, home, args.settle_seconds, args.window_seconds)
    finally:
        stop_gateway(proc, home)


def daemon_run(args):
    home = tempfile.mkdtemp(prefix="clawsharp-bench-")
    with open(os.path.join(home, "config.json"), "w") as f:
        json.dump(DEFAULTS, f)
    port = free_port()
    try:
        subprocess.run([args.binary, "gateway", "start", "--home", home, "--port", str(port)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        wait_ready(None, port)
        with open(os.path.join(home, "daemon.json")) as f:
            daemon = json.load(f)
        return watch({"gateway": daemon["gatewayPid"], "supervisor": daemon["supervisorPid"]}, home,
                     args.settle_seconds, args.window_seconds)
    finally:
        subprocess.run([args.binary, "gateway", "stop", "--home", home], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(home, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--settle-seconds", type=float, default=10)
    parser.add_argument("--window-seconds", type=float, default=None, help="default 60, or 330 with --daemon")
    parser.add_argument("--daemon", action="store_true", help="gateway start: measure the supervisor too")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if args.window_seconds is None:
        args.window_seconds = 330 if args.daemon else 60
    runs = [(daemon_run if args.daemon else foreground_run)(args) for _ in range(args.runs)]
    names = runs[0][0].keys()
    per_min = {n: {f: statistics.median(r[0][n][f] for r in runs) for f in FIELDS} for n in names}
    growth = {k: statistics.median(r[1][k] for r in runs) for k in runs[0][1]}
    mode = "daemon (gateway start)" if args.daemon else "foreground (gateway run)"
    print(f"idle writes, {mode}: {args.settle_seconds:g} s settle, {args.window_seconds:g} s window, median of {args.runs} run(s)")
    for n in names:
        v = per_min[n]
        print(f"  {n:10} write_bytes {v['write_bytes']:10.0f} B/min   wchar {v['wchar']:10.0f} B/min   syscw {v['syscw']:7.1f}/min")
    print(f"  grew over the window: state.db {growth['state.db']} B, state.db-wal {growth['state.db-wal']} B, logs {growth['logs']} B")
    modified = sorted({f for r in runs for f in r[2]})
    print(f"  files modified in the window (any run): {', '.join(modified) if modified else 'none'}")
    print(json.dumps({"figure": "idle_writes", "mode": "daemon" if args.daemon else "foreground", "settle_s": args.settle_seconds,
                      "window_s": args.window_seconds, "runs": args.runs, "per_minute": per_min, "growth_bytes": growth,
                      "modified_files": modified}))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError, KeyError, ValueError, subprocess.SubprocessError) as e:
        print(f"idle-writes.py: {e}", file=sys.stderr)
        sys.exit(1)
