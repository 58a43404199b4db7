#!/usr/bin/env python3
"""Commits (fsync) and write syscalls per message under load (issue 18).

usage: bench/fsync.py BINARY [--messages N] [--clients C] [--window W] [--runs R] [--bench PATH] [--no-strace] [--config JSON]

Each run starts the gateway (fresh state directory, log level warning) and pushes N echo messages
through it with `ClawSharp.Bench send` (C pipelined WebSocket clients, at most W unanswered each):
- plain: no tracer. msg/s, syscw per message from /proc/PID/io (every write-type syscall of the
  gateway: files, pipes and sockets written with write()), and the store's commits per message
  from /metrics when the gateway exports clawsharp_store_commits_total (mean batch from
  clawsharp_store_batch_size when present; "n/a" otherwise).
- strace: the same load while `strace -f -c -e trace=fsync,fdatasync,sync_file_range,write,pwrite64,pwritev,writev -p PID`
  counts the gateway's syscalls (all threads): fsync+fdatasync per message, write syscalls per
  message. strace slows the gateway, so its msg/s is reported separately.
In WAL mode with synchronous=NORMAL SQLite fsyncs only when it checkpoints, so fsync per message
is lower than commits per message; --config '{"...": ...}' runs the gateway with other settings
(a durable store mode, say) to compare. Prints medians over the runs and one JSON line; exit 1 on any failure.
"""
import argparse, json, os, signal, statistics, subprocess, sys, tempfile, time

from loadgen import DEFAULT_BENCH, QUIET, metrics, proc_io, run_send, start_gateway
from probes import stop_gateway

TRACED = "fsync,fdatasync,sync_file_range,write,pwrite64,pwritev,writev"
COMMITS = "clawsharp_store_commits_total"
BATCH_SUM, BATCH_COUNT = "clawsharp_store_batch_size_sum", "clawsharp_store_batch_size_count"


def store_series(port):
    m = metrics(port)
    return m.get(COMMITS), m.get(BATCH_SUM), m.get(BATCH_COUNT)


def plain_run(args):
    proc, home, port = start_gateway(args.binary, args.config)
    try:
        commits0, bsum0, bcount0 = store_series(port)
        io0 = proc_io(proc.pid)
        sent = run_send(args.bench, home, port, args.messages, args.clients, args.window)
        io1 = proc_io(proc.pid)
        commits1, bsum1, bcount1 = store_series(port)
        n = args.messages
        result = {"msg_per_s": sent["msg_per_s"], "syscw_per_msg": (io1["syscw"] - io0["syscw"]) / n,
                  "write_bytes_per_msg": (io1["write_bytes"] - io0["write_bytes"]) / n}
        if commits0 is not None and commits1 is not None:
            result["commits_per_msg"] = (commits1 - commits0) / n
        if bcount0 is not None and bcount1 is not None and bcount1 > bcount0:
            result["mean_batch"] = (bsum1 - bsum0) / (bcount1 - bcount0)
        return result
    finally:
        stop_gateway(proc, home)


def parse_strace(path):
    calls = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            # "% time seconds usecs/call calls [errors] syscall"; the total line has no usecs/call.
            if len(parts) >= 5 and parts[0][0].isdigit() and parts[-1] != "total":
                calls[parts[-1]] = int(parts[3])
    return calls


def strace_run(args):
    proc, home, port = start_gateway(args.binary, args.config)
    out = tempfile.mktemp(prefix="clawsharp-strace-", suffix=".txt")
    tracer = subprocess.Popen(["strace", "-f", "-c", "-e", f"trace={TRACED}", "-o", out, "-p", str(proc.pid)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        # strace reports each thread it attached on stderr; the load starts once the first one is in.
        attached = tracer.stderr.readline()
        if "attached" not in attached:
            raise RuntimeError(f"strace did not attach: {attached.strip()} {tracer.stderr.read().strip()}")
        sent = run_send(args.bench, home, port, args.messages, args.clients, args.window)
        tracer.send_signal(signal.SIGINT)
        tracer.wait(timeout=60)
        calls = parse_strace(out)
        n = args.messages
        writes = sum(calls.get(c, 0) for c in ("write", "pwrite64", "pwritev", "writev"))
        return {"msg_per_s": sent["msg_per_s"], "fsync_per_msg": (calls.get("fsync", 0) + calls.get("fdatasync", 0)) / n,
                "sync_file_range_per_msg": calls.get("sync_file_range", 0) / n, "writes_per_msg": writes / n, "calls": calls}
    finally:
        if tracer.poll() is None:
            tracer.kill()
            tracer.wait()
        stop_gateway(proc, home)
        if os.path.exists(out):
            os.remove(out)


def median_of(runs, key):
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary")
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--window", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bench", default=DEFAULT_BENCH)
    parser.add_argument("--no-strace", action="store_true", help="only the run without a tracer")
    parser.add_argument("--config", type=json.loads, default=QUIET, help="the gateway's config.json (default: log level warning)")
    args = parser.parse_args()
    plain = [plain_run(args) for _ in range(args.runs)]
    traced = [] if args.no_strace else [strace_run(args) for _ in range(args.runs)]
    summary = {"figure": "fsync_per_message", "messages": args.messages, "clients": args.clients, "window": args.window, "runs": args.runs,
               "plain": {k: median_of(plain, k) for k in ("msg_per_s", "syscw_per_msg", "write_bytes_per_msg", "commits_per_msg", "mean_batch")},
               "strace": None if not traced else {k: median_of(traced, k) for k in ("msg_per_s", "fsync_per_msg", "sync_file_range_per_msg", "writes_per_msg")}}
    fmt = lambda v, spec=".3f": "n/a" if v is None else format(v, spec)
    p = summary["plain"]
    print(f"{args.messages} messages, {args.clients} clients, window {args.window}; medians of {args.runs} runs")
    print(f"without strace: {fmt(p['msg_per_s'], '.0f')} msg/s, store commits/msg {fmt(p['commits_per_msg'])} "
          f"(mean batch {fmt(p['mean_batch'], '.1f')}), write-type syscalls/msg {fmt(p['syscw_per_msg'], '.2f')} (/proc syscw), "
          f"bytes to disk/msg {fmt(p['write_bytes_per_msg'], '.0f')}")
    if traced:
        t = summary["strace"]
        print(f"with strace:    {fmt(t['msg_per_s'], '.0f')} msg/s, fsync+fdatasync/msg {fmt(t['fsync_per_msg'])}, "
              f"sync_file_range/msg {fmt(t['sync_file_range_per_msg'])}, write syscalls/msg {fmt(t['writes_per_msg'], '.2f')}")
        print(f"syscall counts of the last traced run: {traced[-1]['calls']}")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        print(f"fsync.py: {e}", file=sys.stderr)
        sys.exit(1)
