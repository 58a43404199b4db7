#!/usr/bin/env python3
"""Commits (fsync) and write syscalls per message under load (issue 18).

usage: bench/fsync.py BINARY [--messages N] [--clients C] [--window W] [--runs R] [--bench PATH] [--no-strace] [--config JSON]

Each run starts the gateway (fresh state directory, log level warning) and pushes N echo messages
through it with `ClawSharp.Bench send` (C pipelined WebSocket clients, at most W unanswered each):
- plain: no tracer. msg/s, syscw per message from /proc/PID/io (every write-type syscall of the
  gateway: files, pipes and sockets written with write()), and the store's commits per message
  from /metrics when the gateway exports clawsharp_store_commits_total (mean batch from
  clawsharp_store_batch_size when present; "n/a" otherwise).
- strace: the gateway started under `strace -f --seccomp-bpf -c -e trace=SET` (all threads;
  seccomp-bpf stops it only on the traced calls), the same load, then SIGTERM; its counts minus
  those of a gateway started and stopped with no load (once per invocation) are the load's.
  Two runs: SET = fsync,fdatasync,sync_file_range (few stops: the gateway runs near its real
  rate, so group commit batches as it would) gives fsync+fdatasync per message; SET =
  write,pwrite64,pwritev,writev (~50 stops a message: much slower) gives write syscalls per message.
  Each traced run's msg/s is reported.
In WAL mode with synchronous=NORMAL SQLite fsyncs only when it checkpoints, so fsync per message
is lower than commits per message; --config '{"...": ...}' runs the gateway with other settings
(a durable store mode, say) to compare. Prints medians over the runs and one JSON line; exit 1 on any failure.
"""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time

from loadgen import DEFAULT_BENCH, QUIET, metrics, proc_io, run_send, start_gateway, wait_ready
from probes import free_port, stop_gateway

SYNCS = "fsync,fdatasync,sync_file_range"
WRITES = "write,pwrite64,pwritev,writev"
COMMITS = "clawsharp_store_commits_total"
SYNCED = "clawsharp_store_synced_commits_total"
BATCH_SUM, BATCH_COUNT = "clawsharp_store_batch_size_sum", "clawsharp_store_batch_size_count"


def store_series(port):
    m = metrics(port)
    return m.get(COMMITS), m.get(BATCH_SUM), m.get(BATCH_COUNT), m.get(SYNCED)


def plain_run(args):
    proc, home, port = start_gateway(args.binary, args.config)
    try:
        commits0, bsum0, bcount0, synced0 = store_series(port)
        io0 = proc_io(proc.pid)
        sent = run_send(args.bench, home, port, args.messages, args.clients, args.window)
        io1 = proc_io(proc.pid)
        commits1, bsum1, bcount1, synced1 = store_series(port)
        n = args.messages
        result = {"msg_per_s": sent["msg_per_s"], "syscw_per_msg": (io1["syscw"] - io0["syscw"]) / n,
                  "write_bytes_per_msg": (io1["write_bytes"] - io0["write_bytes"]) / n}
        if commits0 is not None and commits1 is not None:
            result["commits_per_msg"] = (commits1 - commits0) / n
        if synced0 is not None and synced1 is not None:
            result["synced_commits_per_msg"] = (synced1 - synced0) / n
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


def traced_counts(args, messages, traced):
    """Syscall counts of one gateway's whole life under `strace -f --seccomp-bpf -c`, with `messages` pushed through it."""
    home = tempfile.mkdtemp(prefix="clawsharp-bench-")
    with open(os.path.join(home, "config.json"), "w") as f:
        json.dump(args.config, f)
    port = free_port()
    out = os.path.join(home, "strace.txt")
    # Launched under strace rather than attached (-p): only then can strace install its seccomp
    # filter, so the gateway stops only on the traced syscalls, not on every one.
    tracer = subprocess.Popen(["strace", "-f", "--seccomp-bpf", "-c", "-e", f"trace={traced}", "-o", out,
                               args.binary, "gateway", "run", "--home", home, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(tracer, port)
        with open(os.path.join(home, "gateway.lock")) as f:
            gateway_pid = json.load(f)["pid"]
        sent = run_send(args.bench, home, port, messages, args.clients, args.window) if messages else None
        os.kill(gateway_pid, signal.SIGTERM)
        tracer.wait(timeout=60)
        return parse_strace(out), sent
    finally:
        if tracer.poll() is None:
            tracer.kill()
            tracer.wait()
        shutil.rmtree(home, ignore_errors=True)


def strace_run(args, baselines):
    """Two traced runs: the sync calls alone (few stops, so the gateway runs near its real rate and
    batches as it would), then the write calls (~50 stops a message: much slower)."""
    n, result, load = args.messages, {}, {}
    for name, traced in (("sync", SYNCS), ("writes", WRITES)):
        calls, sent = traced_counts(args, n, traced)
        # Start-up and shutdown (migrations, the token, the lock, logs) are the baseline's; the rest is the load's.
        load.update({c: calls.get(c, 0) - baselines[name].get(c, 0) for c in calls})
        result[f"{name}_msg_per_s"] = sent["msg_per_s"]
    result["fsync_per_msg"] = (load.get("fsync", 0) + load.get("fdatasync", 0)) / n
    result["sync_file_range_per_msg"] = load.get("sync_file_range", 0) / n
    result["writes_per_msg"] = sum(load.get(c, 0) for c in WRITES.split(",")) / n
    result["calls"] = load
    return result


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
    baselines = {} if args.no_strace else {"sync": traced_counts(args, 0, SYNCS)[0], "writes": traced_counts(args, 0, WRITES)[0]}
    traced = [] if args.no_strace else [strace_run(args, baselines) for _ in range(args.runs)]
    summary = {"figure": "fsync_per_message", "messages": args.messages, "clients": args.clients, "window": args.window, "runs": args.runs,
               "plain": {k: median_of(plain, k) for k in ("msg_per_s", "syscw_per_msg", "write_bytes_per_msg", "commits_per_msg", "synced_commits_per_msg", "mean_batch")},
               "strace": None if not traced else {k: median_of(traced, k) for k in ("sync_msg_per_s", "writes_msg_per_s", "fsync_per_msg", "sync_file_range_per_msg", "writes_per_msg")}}
    fmt = lambda v, spec=".3f": "n/a" if v is None else format(v, spec)
    p = summary["plain"]
    print(f"{args.messages} messages, {args.clients} clients, window {args.window}; medians of {args.runs} runs")
    print(f"without strace: {fmt(p['msg_per_s'], '.0f')} msg/s, store commits/msg {fmt(p['commits_per_msg'])} "
          f"(synced {fmt(p['synced_commits_per_msg'])}) "
          f"(mean batch {fmt(p['mean_batch'], '.1f')}), write-type syscalls/msg {fmt(p['syscw_per_msg'], '.2f')} (/proc syscw), "
          f"bytes to disk/msg {fmt(p['write_bytes_per_msg'], '.0f')}")
    if traced:
        t = summary["strace"]
        print(f"with strace:    fsync+fdatasync/msg {fmt(t['fsync_per_msg'])}, sync_file_range/msg {fmt(t['sync_file_range_per_msg'])} "
              f"(tracing those: {fmt(t['sync_msg_per_s'], '.0f')} msg/s); write syscalls/msg {fmt(t['writes_per_msg'], '.2f')} "
              f"(tracing those: {fmt(t['writes_msg_per_s'], '.0f')} msg/s)")
        print(f"syscall counts of the last traced run: {traced[-1]['calls']}")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        print(f"fsync.py: {e}", file=sys.stderr)
        sys.exit(1)
