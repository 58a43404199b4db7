#!/usr/bin/env python3
"""HTTP ingress from one keep-alive client, measured with wrk (issue 18: "HTTP POST /v1/messages,
one keep-alive client").

usage: bench/http-wrk.py BINARY [BINARY ...] [--modes durable,fast] [--seconds S] [--runs R]

wrk (Debian's package; installed with apt-get when missing) holds one connection and keeps one
request in flight (-t1 -c1): each POST /v1/messages carries a new idempotency key, over 8
sessions (bench/wrk-post.lua), as ClawSharp.Bench's `http` does with .NET's HttpClient. wrk is
made for this: its own cost per request is a few microseconds, where HttpClient's (~50 us)
sits inside every round trip of a one-at-a-time client. Each run: a fresh state directory
with the mode's store.durability, S seconds of load, then every accepted message must be
answered (/metrics). Binaries alternate run by run (a noisy machine drifts); prints each run,
then medians per binary and mode, and one JSON line. Exit 1 when a request failed or a message
went unanswered.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, time

from loadgen import metrics, start_gateway
from probes import stop_gateway

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN = "wrk-bench-token-0123456789abcdef"


def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        sys.exit("wrk is not installed: apt-get install wrk")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)


def answered(port):
    return int(sum(v for k, v in metrics(port).items() if k.startswith("clawsharp_messages_answered_total")))


def run_once(binary, mode, seconds):
    os.environ["CLAWSHARP_TOKEN"] = TOKEN
    proc, home, port = start_gateway(binary, {"logs": {"level": "warning"}, "store": {"durability": mode}})
    try:
        out = subprocess.run(["wrk", "-t1", "-c1", f"-d{seconds}s", "-s", os.path.join(HERE, "wrk-post.lua"),
                              f"http://127.0.0.1:{port}/v1/messages"], capture_output=True, text=True, check=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        deadline = time.monotonic() + 30
        while (done := answered(port)) < result["requests"] and time.monotonic() < deadline:
            time.sleep(0.05)
        result["answered"] = done
        return result
    finally:
        stop_gateway(proc, home)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--modes", default="durable,fast")
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ensure_wrk()
    rows = {}
    ok = True
    for run in range(args.runs):
        for mode in args.modes.split(","):
            for binary in args.binaries:
                r = run_once(binary, mode, args.seconds)
                ok &= r["errors"] == 0 and r["non202"] == 0 and r["answered"] >= r["requests"]
                rows.setdefault((binary, mode), []).append(r)
                print(f"run {run + 1} {mode:7} {binary}: {r['rate']:.0f} msg/s, p50 {r['p50_ms']:.3f} ms, p99 {r['p99_ms']:.3f} ms, "
                      f"{r['requests']} sent, {r['answered']} answered, {r['errors']} socket errors, {r['non202']} not 202", flush=True)
    summary = []
    for (binary, mode), rs in rows.items():
        rates = [r["rate"] for r in rs]
        line = {"binary": binary, "mode": mode, "median_rate": statistics.median(rates), "min_rate": min(rates), "max_rate": max(rates),
                "median_p50_ms": statistics.median(r["p50_ms"] for r in rs), "median_p99_ms": statistics.median(r["p99_ms"] for r in rs)}
        summary.append(line)
        print(f"{mode:7} {binary}: median {line['median_rate']:.0f} msg/s (min {line['min_rate']:.0f}, max {line['max_rate']:.0f}), "
              f"p50 {line['median_p50_ms']:.3f} ms, p99 {line['median_p99_ms']:.3f} ms")
    print(json.dumps({"bench": "http-wrk", "connections": 1, "seconds": args.seconds, "runs": args.runs, "results": summary}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
