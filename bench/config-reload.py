#!/usr/bin/env python3
"""Config reload (issue 19): how long from writing config.json to the change in effect.

usage: bench/config-reload.py BINARY [--rounds N] [--debounce-ms MS] [--restart-delay-ms MS]

BINARY is a clawsharp build (the Native AOT one: bench/publish-aot.sh DIR). One unsupervised
`gateway run` (CLAWSHARP_NO_RESPAWN=1: a restart is in process, the PID stays) with
`gateway.reload.mode` hybrid. Each round writes the file as editors do (a temp file renamed over
config.json) and times, from the rename:
  hot      agents.echo.delayMs changed: until the gateway's "applied live" log line (read from
           its stdout as it is written), then until `status` reports the new value
           (polled over the control protocol with the CLI: what an operator sees);
  restart  logs.maxBackups changed (a restart key): until "gateway restarted in process" and
           /readyz answers 200 again (raw socket probe).
The watcher's debounce (gateway.reload.debounceMs, default 300) and the restart's delay
(gateway.reload.restartDelayMs, default 2000) are set from the flags; the cooldown is 0.
Prints one JSON line of medians (ms).
"""
import argparse, json, os, queue, shutil, signal, statistics, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probes import free_port, ready  # noqa: E402


def write_config(home, config):
    path = os.path.join(home, "config.json")
    temp = path + ".bench.tmp"
    with open(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        json.dump(config, f)
    start = time.perf_counter()
    os.rename(temp, path)
    return start


class Lines:
    """The gateway's stdout lines, each stamped when read."""

    def __init__(self, stream):
        self.queue = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self.queue.put((time.perf_counter(), line))

    def wait_for(self, text, timeout=60):
        deadline = time.perf_counter() + timeout
        while True:
            at, line = self.queue.get(timeout=max(0.01, deadline - time.perf_counter()))
            if text in line:
                return at


def status(binary, home):
    out = subprocess.run([binary, "gateway", "call", "status", "--home", home], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--debounce-ms", type=int, default=300)
    parser.add_argument("--restart-delay-ms", type=int, default=2000)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="clawsharp-reload-bench-")
    home = os.path.join(root, "home")
    os.makedirs(home, mode=0o700)
    base = {"gateway": {"reload": {"cooldownMs": 0, "debounceMs": args.debounce_ms, "restartDelayMs": args.restart_delay_ms}},
            "agents": {"echo": {"delayMs": 0}}, "logs": {"maxBackups": 3}}
    write_config(home, base)
    port = free_port()
    env = dict(os.environ, CLAWSHARP_NO_RESPAWN="1")
    gateway = subprocess.Popen([args.binary, "gateway", "run", "--home", home, "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    lines = Lines(gateway.stdout)
    try:
        while not ready(port):
            time.sleep(0.01)
        hot_log, hot_status, restarted = [], [], []
        for i in range(1, args.rounds + 1):
            base["agents"]["echo"]["delayMs"] = i
            start = write_config(home, base)
            hot_log.append((lines.wait_for("applied live: agents.echo.delayMs") - start) * 1000)
            while status(args.binary, home)["config"]["echoDelayMs"] != i:
                pass
            hot_status.append((time.perf_counter() - start) * 1000)
        for i in range(1, args.rounds + 1):
            base["logs"]["maxBackups"] = 3 + i
            start = write_config(home, base)
            lines.wait_for("gateway restarted in process")
            while not ready(port):
                time.sleep(0.002)
            restarted.append((time.perf_counter() - start) * 1000)
        final = status(args.binary, home)
        print(json.dumps({
            "rounds": args.rounds,
            "debounce_ms": args.debounce_ms,
            "restart_delay_ms": args.restart_delay_ms,
            "hot_applied_log_ms_median": round(statistics.median(hot_log), 1),
            "hot_in_status_ms_median": round(statistics.median(hot_status), 1),
            "restart_ready_ms_median": round(statistics.median(restarted), 1),
            "restarts": final["restarts"],
            "same_pid": final["pid"] == gateway.pid,
        }))
    finally:
        gateway.send_signal(signal.SIGTERM)
        try:
            gateway.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gateway.kill()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
