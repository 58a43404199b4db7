#!/usr/bin/env python3
"""An idle-connection flood: what the gateway holds and whether it lives (security, gateway.maxConnections).

usage: bench/flood.py BINARY [--connections N] [--hold-seconds S]

Starts `BINARY gateway run` (fresh state directory, quiet logs), opens N idle TCP connections to its port
(no request, no credential: what anyone who reaches the port can do) from two client processes, holds them S
seconds, then lets go. Samples the gateway's RSS and open descriptors every second; afterwards asks /healthz on
a new connection. Prints the peak RSS, the descriptors held, whether the gateway survived and answered, and
one JSON line. Needs an open-file limit above N for the clients (each opens N/2).
"""
import argparse, json, os, subprocess, sys, time

from loadgen import start_gateway
from probes import ready, rss_kib, stop_gateway

CLIENT = """
import socket, sys, time
port, count, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
held, failed = [], 0
for _ in range(count):
    try:
        held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    except OSError:
        failed += 1
time.sleep(hold)
print(len(held), failed)
"""


def fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--connections", type=int, default=20500)
    parser.add_argument("--hold-seconds", type=float, default=20)
    args = parser.parse_args()
    proc, home, port = start_gateway(args.binary)
    try:
        idle = rss_kib(proc.pid)
        half = args.connections // 2
        clients = [subprocess.Popen([sys.executable, "-c", CLIENT, str(port), str(n), str(args.hold_seconds)], stdout=subprocess.PIPE, text=True)
                   for n in (half, args.connections - half)]
        peak_rss, peak_fds, alive = idle, 0, True
        while any(c.poll() is None for c in clients):
            if proc.poll() is not None:
                alive = False
                break
            peak_rss, peak_fds = max(peak_rss, rss_kib(proc.pid)), max(peak_fds, fds(proc.pid))
            time.sleep(1)
        for c in clients:
            c.wait()
        survived = alive and proc.poll() is None
        answered = False
        if survived:
            deadline = time.monotonic() + 30
            while not (answered := ready(port)) and time.monotonic() < deadline:
                time.sleep(0.1)
        result = {"connections": args.connections, "idle_mib": round(idle / 1024, 1), "peak_rss_mib": round(peak_rss / 1024, 1),
                  "peak_fds": peak_fds, "survived": survived, "exit_code": proc.returncode, "answers_after": answered,
                  "after_mib": round(rss_kib(proc.pid) / 1024, 1) if survived else None}
        print(json.dumps(result))
        print(f"{args.connections} idle connections: peak RSS {result['peak_rss_mib']} MiB (idle {result['idle_mib']}), "
              f"peak descriptors {peak_fds}, survived {survived} (exit {proc.returncode}), answers after {answered}, RSS after {result['after_mib']} MiB")
    finally:
        if proc.poll() is None:
            stop_gateway(proc, home)


if __name__ == "__main__":
    main()
