#!/usr/bin/env python3
"""What scraping /metrics costs an idle gateway: CPU and RSS over a quiet window, then over a window
scraped once a second (raw-socket GET /metrics, the body read to the end).

usage: bench/metrics_scrape.py BINARY [--runs N] [--window-seconds S]

Each run: a fresh temp state directory, `BINARY gateway run`, ready on /readyz, 5 s to settle, then
S seconds idle (CPU = utime+stime from /proc/PID/stat, RSS = VmRSS at the end), then S seconds with
one scrape a second (same measures; the scrape's own parse time is the gateway's, not the client's).
Reports medians over the runs: CPU ms per minute and RSS MiB for both windows, and the scrape size.
"""
import argparse, os, socket, statistics, subprocess, tempfile, time

from probes import free_port, ready, rss_kib, stop_gateway

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK


def rss_mib(pid):
    kib = rss_kib(pid)
    return kib / 1024 if kib >= 0 else float("nan")


def scrape(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data[:80]
    return len(data)


def window(pid, port, seconds, scraping):
    cpu0, size = cpu_ms(pid), 0
    end = time.monotonic() + seconds
    next_at = time.monotonic()
    while time.monotonic() < end:
        if scraping and time.monotonic() >= next_at:
            size = scrape(port)
            next_at += 1.0
        time.sleep(0.05)
    return (cpu_ms(pid) - cpu0) * 60 / seconds, rss_mib(pid), size


def one_run(binary, seconds):
    home = tempfile.mkdtemp(prefix="clawsharp-bench-")
    port = free_port()
    proc = subprocess.Popen([binary, "gateway", "run", "--home", home, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not ready(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gateway did not become ready")
            time.sleep(0.01)
        time.sleep(5)
        return window(proc.pid, port, seconds, False), window(proc.pid, port, seconds, True)
    finally:
        stop_gateway(proc, home)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--window-seconds", type=float, default=30)
    args = parser.parse_args()
    runs = [one_run(args.binary, args.window_seconds) for _ in range(args.runs)]
    med = lambda xs: round(statistics.median(xs), 1)
    print(f"binary: {args.binary}\nruns: {args.runs} x {args.window_seconds:.0f} s windows")
    print(f"idle:        CPU {med([q[0] for q, _ in runs])} ms/min  RSS {med([q[1] for q, _ in runs])} MiB")
    print(f"scraped 1Hz: CPU {med([s[0] for _, s in runs])} ms/min  RSS {med([s[1] for _, s in runs])} MiB  "
          f"(response {int(statistics.median([s[2] for _, s in runs]))} bytes)")


if __name__ == "__main__":
    main()
