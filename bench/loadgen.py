"""Shared by the store harnesses (fsync.py, wal-growth.py, idle-writes.py): a gateway started in a
scratch state directory, /proc/PID/io, one /metrics series, and the pipelined WebSocket load of
`ClawSharp.Bench send` against that gateway."""
import json
import os
import socket
import subprocess
import tempfile
import time

from probes import free_port, ready

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BENCH = os.path.join(ROOT, "artifacts/bin/ClawSharp.Bench/release/ClawSharp.Bench")
QUIET = {"logs": {"level": "warning"}}


def start_gateway(binary, config=QUIET):
    """`BINARY gateway run` in a fresh state directory on a free port; returns (proc, home, port) once /readyz answers 200."""
    home = tempfile.mkdtemp(prefix="clawsharp-bench-")
    with open(os.path.join(home, "config.json"), "w") as f:
        json.dump(config, f)
    port = free_port()
    proc = subprocess.Popen([binary, "gateway", "run", "--home", home, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(proc, port)
    return proc, home, port


def wait_ready(proc, port, seconds=30):
    deadline = time.monotonic() + seconds
    while not ready(port):
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError("gateway did not become ready")
        time.sleep(0.005)


def proc_io(pid):
    """/proc/PID/io as a dict of ints (rchar, wchar, syscr, syscw, read_bytes, write_bytes, ...)."""
    with open(f"/proc/{pid}/io") as f:
        return {k: int(v) for k, v in (line.split(":") for line in f)}


def metrics(port):
    """Every unlabelled-or-labelled series on /metrics as {name{labels}: value}."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"/metrics answered {head[:40]!r}")
    if b"transfer-encoding: chunked" in head.lower():
        body = dechunk(body)
    series = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            try:
                series[name] = float(value)
            except ValueError:
                pass
    return series


def dechunk(body):
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2:]
    return out


def run_send(bench, home, port, messages, clients, window):
    """`ClawSharp.Bench send`: returns its JSON summary (progress goes to this process's stderr)."""
    if not os.path.exists(bench):
        raise RuntimeError(f"{bench} not found: dotnet build -c Release bench/ClawSharp.Bench (or pass --bench)")
    out = subprocess.run([bench, "send", home, str(port), str(messages), str(clients), str(window)],
                         stdout=subprocess.PIPE, text=True)
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"send failed (exit {out.returncode}): {out.stdout.strip()}")
    return json.loads(lines[-1])
