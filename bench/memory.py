#!/usr/bin/env python3
"""Where the gateway's memory goes, one figure per command (issue 18, "Memory").

usage: bench/memory.py BINARY idle        [--runs N] [--settle-seconds S]
       bench/memory.py BINARY messages    [--runs N] [--count N] [--settle-seconds S]
       bench/memory.py BINARY connections [--runs N] [--count N] [--settle-seconds S]

idle:        a fresh state directory, `BINARY gateway run`, ready on /readyz, S seconds to settle,
             then VmRSS and a breakdown of /proc/PID/smaps by mapping: the binary's own file
             pages, each shared library, anonymous memory (GC heap, native heaps), thread stacks.
             Median RSS of N starts; the breakdown is the median run's.
messages:    idle RSS, then N messages over POST /v1/messages on one keep-alive connection (Python's
             http.client), RSS; then N more, RSS; then S seconds idle, RSS.
connections: idle RSS, then N WebSocket upgrades at / (handshake read, socket dropped) and N plain TCP
             connections to /healthz (HTTP/1.1 keep-alive, dropped without closing the request
             line), RSS sampled every 0.5 s for S seconds after each burst (the series is printed).
Each prints one JSON line (medians over the runs) and one human line. RSS in MiB.
DOTNET_* variables in the environment reach the gateway (try DOTNET_GCgen0size=0x400000 etc.).
"""
import argparse, base64, http.client, json, os, socket, statistics, subprocess, sys, tempfile, time

from probes import free_port, ready, rss_kib, stop_gateway

TOKEN = "memory-bench-token-0123456789abcdef"


def mib(kib):
    return round(kib / 1024, 2)


def start(binary):
    home = tempfile.mkdtemp(prefix="clawsharp-memory-")
    port = free_port()
    proc = subprocess.Popen([binary, "gateway", "run", "--home", home, "--port", str(port), "--token", TOKEN],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not ready(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_gateway(proc, home)
            raise RuntimeError("gateway did not become ready")
        time.sleep(0.002)
    return proc, home, port


def settle(pid, seconds):
    """Waits `seconds`, then returns VmRSS in KiB (the mean of the last three 0.2 s samples)."""
    time.sleep(max(0.0, seconds - 0.4))
    samples = []
    for _ in range(3):
        samples.append(rss_kib(pid))
        time.sleep(0.2)
    return int(statistics.mean(samples))


def breakdown(pid, binary):
    """KiB of Rss per kind of mapping, from /proc/PID/smaps."""
    kinds, current, exe = {}, None, os.path.realpath(binary)
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split()
            if not head:
                continue
            if "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
                path = head[5] if len(head) >= 6 else ""
                perms = head[1]
                if path == exe:
                    current = "binary"
                elif path.startswith("/") and ".so" in path:
                    current = "lib:" + os.path.basename(path).split(".so")[0]
                elif path == "[stack]":
                    current = "stack:main"
                elif path.startswith("["):
                    current = path
                elif path:
                    current = "file:" + os.path.basename(path)
                else:
                    current = "anon"
                current = (current, perms)
            elif head[0] == "Rss:" and current is not None:
                kinds[current] = kinds.get(current, 0) + int(head[1])
    # Thread stacks are anonymous rw-p mappings right after a ---p guard page; smaps cannot tell them
    # from heap, so they are counted from the thread count and reported beside, not subtracted.
    out = {}
    for (name, perms), kib in kinds.items():
        key = name if name != "anon" else ("anon:rw" if "rw" in perms else "anon:other")
        out[key] = out.get(key, 0) + kib
    with open(f"/proc/{pid}/status") as f:
        threads = next(int(l.split()[1]) for l in f if l.startswith("Threads:"))
    with open(f"/proc/{pid}/smaps_rollup") as f:
        rollup = {l.split(":")[0]: int(l.split()[1]) for l in f if l.split(":")[0] in
                  ("Rss", "Anonymous", "Private_Clean", "Private_Dirty", "Shared_Clean")}
    return {"by_mapping_kib": dict(sorted(out.items(), key=lambda kv: -kv[1])), "threads": threads, "rollup_kib": rollup,
            "libcrypto_loaded": any(k.startswith("lib:libcrypto") or k.startswith("lib:libssl") for k in out)}


def idle(args):
    runs = []
    for _ in range(args.runs):
        proc, home, port = start(args.binary)
        try:
            rss = settle(proc.pid, args.settle_seconds)
            runs.append((rss, breakdown(proc.pid, args.binary)))
        finally:
            stop_gateway(proc, home)
    runs.sort(key=lambda r: r[0])
    median = runs[len(runs) // 2]
    result = {"figure": "idle", "runs": args.runs, "rss_mib_median": mib(median[0]),
              "rss_mib_min": mib(runs[0][0]), "rss_mib_max": mib(runs[-1][0]), **median[1]}
    print(json.dumps(result))
    top = ", ".join(f"{k} {mib(v)}" for k, v in list(median[1]["by_mapping_kib"].items())[:8])
    print(f"idle RSS MiB: median {mib(median[0])} (min {mib(runs[0][0])}, max {mib(runs[-1][0])}); "
          f"threads {median[1]['threads']}; libcrypto/libssl {'mapped' if median[1]['libcrypto_loaded'] else 'not mapped'}; {top}")


def post_messages(port, count, offset):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    for i in range(count):
        body = json.dumps({"sessionKey": f"s{(offset + i) % 50}", "message": f"hello {offset + i}",
                           "idempotencyKey": f"k{offset + i}"})
        conn.request("POST", "/v1/messages", body, headers)
        response = conn.getresponse()
        response.read()
        if response.status != 202:
            raise RuntimeError(f"POST /v1/messages answered {response.status}")
    conn.close()


def messages(args):
    rows = []
    for _ in range(args.runs):
        proc, home, port = start(args.binary)
        try:
            row = {"idle": settle(proc.pid, args.settle_seconds)}
            began = time.monotonic()
            post_messages(port, args.count, 0)
            row["after_first"] = settle(proc.pid, 1.0)
            post_messages(port, args.count, args.count)
            row["after_second"] = settle(proc.pid, 1.0)
            row["seconds"] = time.monotonic() - began
            row["after_quiet"] = settle(proc.pid, args.settle_seconds)
            rows.append(row)
        finally:
            stop_gateway(proc, home)
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    result = {"figure": "messages", "runs": args.runs, "count": args.count, "transport": "http keep-alive",
              "idle_mib": mib(med["idle"]), "after_first_mib": mib(med["after_first"]),
              "after_second_mib": mib(med["after_second"]), "after_quiet_mib": mib(med["after_quiet"]),
              "msg_per_s": round(2 * args.count / med["seconds"])}
    print(json.dumps(result))
    print(f"RSS MiB over HTTP (median of {args.runs}): idle {result['idle_mib']}, after {args.count} "
          f"{result['after_first_mib']}, after {2 * args.count} {result['after_second_mib']}, "
          f"{args.settle_seconds:g} s later {result['after_quiet_mib']} ({result['msg_per_s']} msg/s)")


def websocket_upgrades(port, count):
    for _ in range(count):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            key = base64.b64encode(os.urandom(16)).decode()
            s.sendall((f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
            data = s.recv(4096)
            if not data.startswith(b"HTTP/1.1 101"):
                raise RuntimeError(f"upgrade answered {data[:40]!r}")
            # the gateway's connect.challenge frame follows (often in the same read): wait for it, so the
            # connection is really open, then drop it
            while len(data) <= data.index(b"\r\n\r\n") + 4:
                data += s.recv(4096)


def tcp_connections(port, count):
    for _ in range(count):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            s.recv(4096)


def series(pid, seconds):
    out, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        out.append(mib(rss_kib(pid)))
        time.sleep(0.5)
    return out


def growth(before, after):
    b, a = before["by_mapping_kib"], after["by_mapping_kib"]
    grown = {k: mib(a.get(k, 0) - b.get(k, 0)) for k in set(a) | set(b)}
    return dict(sorted(((k, v) for k, v in grown.items() if abs(v) >= 0.05), key=lambda kv: -kv[1]))


def connections(args):
    rows = []
    for _ in range(args.runs):
        proc, home, port = start(args.binary)
        try:
            row = {"idle": settle(proc.pid, args.settle_seconds), "idle_breakdown": breakdown(proc.pid, args.binary)}
            websocket_upgrades(port, args.count)
            row["ws_peak"] = rss_kib(proc.pid)
            row["ws_series"] = series(proc.pid, args.settle_seconds)
            tcp_connections(port, args.count)
            row["tcp_peak"] = rss_kib(proc.pid)
            row["tcp_series"] = series(proc.pid, args.settle_seconds)
            row["end"] = rss_kib(proc.pid)
            row["end_breakdown"] = breakdown(proc.pid, args.binary)
            rows.append(row)
        finally:
            stop_gateway(proc, home)
    num = ("idle", "ws_peak", "tcp_peak", "end")
    med = {k: statistics.median(r[k] for r in rows) for k in num}
    median_run = sorted(rows, key=lambda r: r["end"])[len(rows) // 2]
    result = {"figure": "connections", "runs": args.runs, "count": args.count, "idle_mib": mib(med["idle"]),
              "after_ws_mib": mib(med["ws_peak"]), "after_tcp_mib": mib(med["tcp_peak"]), "end_mib": mib(med["end"]),
              "end_minus_idle_mib": mib(med["end"] - med["idle"]),
              "ws_series_mib": median_run["ws_series"], "tcp_series_mib": median_run["tcp_series"],
              # What grew, by mapping (the median run's, MiB): the binary's pages the traffic ran, libraries it loaded, heaps.
              "growth_by_mapping_mib": growth(median_run["idle_breakdown"], median_run["end_breakdown"])}
    print(json.dumps(result))
    print(f"RSS MiB (median of {args.runs}): idle {result['idle_mib']}, after {args.count} WebSocket upgrades dropped "
          f"{result['after_ws_mib']}, after {args.count} TCP {result['after_tcp_mib']}, settled {result['end_mib']} "
          f"(+{result['end_minus_idle_mib']} over idle: {result['growth_by_mapping_mib']}); series ws {median_run['ws_series'][::4]} tcp {median_run['tcp_series'][::4]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("figure", choices=["idle", "messages", "connections"])
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--settle-seconds", type=float, default=None)
    args = parser.parse_args()
    defaults = {"idle": (5, 0, 3.0), "messages": (3, 10000, 5.0), "connections": (3, 2000, 10.0)}[args.figure]
    args.runs = args.runs or defaults[0]
    args.count = args.count or defaults[1]
    args.settle_seconds = args.settle_seconds if args.settle_seconds is not None else defaults[2]
    {"idle": idle, "messages": messages, "connections": connections}[args.figure](args)


if __name__ == "__main__":
    sys.exit(main())
