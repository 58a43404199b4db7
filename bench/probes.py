"""Shared by the whole-process harnesses: a free loopback port, a raw-socket /readyz probe (no
HTTP client, so the probe itself costs next to nothing), and a fixed-rate connect load with its summary."""
import shutil
import signal
import socket
import subprocess
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


class Load:
    """One connection per request at a fixed rate; each request is timed on its own thread."""

    def __init__(self, port, rate):
        self.port, self.interval = port, 1.0 / rate
        self.results = []  # (sent, answered_at or None, outcome)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _one(self):
        sent = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                ok = s.recv(64).startswith(b"HTTP/1.1 200")
                outcome = "ok" if ok else "bad"
        except ConnectionRefusedError:
            outcome = "refused"
        except OSError:
            outcome = "error"
        with self.lock:
            self.results.append((sent, time.perf_counter(), outcome))

    def _run(self):
        next_at = time.perf_counter()
        while not self.stop.is_set():
            threading.Thread(target=self._one, daemon=True).start()
            next_at += self.interval
            delay = next_at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)

    def take(self):
        """The results so far, and a fresh list for the next phase (requests in flight land in the next one)."""
        with self.lock:
            taken, self.results = self.results, []
        return taken

    def close(self):
        self.stop.set()
        self.thread.join()


def summarize(name, results):
    answered = sorted(r for r in results if r[2] == "ok")
    latencies = sorted((r[1] - r[0]) * 1000 for r in answered)
    ends = sorted(r[1] for r in answered)
    gap = max((b - a for a, b in zip(ends, ends[1:])), default=0) * 1000
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")
    return {
        "phase": name, "sent": len(results), "answered": len(answered),
        "refused": sum(1 for r in results if r[2] == "refused"),
        "failed": sum(1 for r in results if r[2] in ("error", "bad")),
        "longest_gap_ms": round(gap, 1), "p50_ms": round(pct(0.5), 2), "p99_ms": round(pct(0.99), 2),
        "max_ms": round(latencies[-1], 1) if latencies else None,
    }


def rss_kib(pid):
    """VmRSS of a process in KiB, -1 when /proc does not say."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def stop_gateway(proc, home):
    """SIGTERM, a 30 s wait, then SIGKILL; the scratch home is removed either way."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(home, ignore_errors=True)
