#!/usr/bin/env python3
"""Restarts under a steady request stream (issue 15): systemd with socket activation, next to
the built-in supervisor.

usage: bench/socket-activation.py BINARY [--rounds N] [--rate R] [--manager systemd|builtin|both]

BINARY is a clawsharp executable (the Native AOT build: bench/publish-aot.sh DIR prints it).
- systemd: boots a real systemd 252 in a container (scripts/systemd-tree.sh, systemd-nspawn,
  shared network), binds BINARY's folder in read-only, `gateway install --system --port P`.
- builtin: `gateway start --port P` under the built-in supervisor on the host.
Then, while a load thread opens a fresh connection and sends GET /healthz every 1/R s (default
200/s), N rounds of `gateway restart` (each waits for the new generation) and 3 rounds of
`kill -9` of the gateway (each waits until the manager has restarted it and it answers; a 4th
crash within 5 minutes would be a crash storm, which both managers stop by design).
Per phase it reports the requests sent, refused (ECONNREFUSED) and failed otherwise, the
longest gap between two answered requests, and the p50/p99/max latency of answered requests.
"""
import argparse, json, os, signal, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probes import Load, free_port, ready, summarize  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_config(home):
    """Restarts back to back: the default 30 s cooldown between restarts would make the run 5 minutes of waiting."""
    path = os.path.join(home, "config.json")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        json.dump({"gateway": {"reload": {"cooldownMs": 0}}}, f)


def wait_ready_new_pid(port, old_pid, pid_of, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        pid = pid_of()
        if pid and pid != old_pid and ready(port):
            return pid
        time.sleep(0.01)
    raise RuntimeError(f"gateway not back within {timeout} s (old pid {old_pid})")


class Systemd:
    def __init__(self, binary):
        tree = subprocess.run([os.path.join(REPO, "scripts", "systemd-tree.sh")], check=True,
                              capture_output=True, text=True).stdout.strip()
        self.binary = binary
        self.proc = subprocess.Popen(
            ["systemd-nspawn", "-b", "-D", tree, "--register=no", "--keep-unit", "--console=read-only",
             "--volatile=overlay", f"--machine=clawbench-{os.getpid()}", f"--bind-ro={os.path.dirname(binary)}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        self.init = 0
        while time.time() < deadline and not self.init:
            try:
                for child in open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read().split():
                    if open(f"/proc/{child}/comm").read().strip() == "systemd":
                        self.init = int(child)
            except OSError:
                pass
            time.sleep(0.05)
        while time.time() < deadline:
            if self.run("systemctl", "is-system-running", "--wait", check=False).stdout.strip() in ("running", "degraded"):
                break
            time.sleep(0.1)

    def run(self, *args, check=True):
        result = subprocess.run(["nsenter", "-t", str(self.init), "-a", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                                 "HOME=/root", *args], capture_output=True, text=True)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: exit {result.returncode}\n{result.stdout}{result.stderr}")
        return result

    def start(self, port):
        home = f"/proc/{self.init}/root/root/.clawsharp"
        os.makedirs(home, mode=0o700, exist_ok=True)
        write_config(home)
        self.run(self.binary, "gateway", "install", "--system", "--port", str(port))

    def restart(self):
        self.run(self.binary, "gateway", "restart")

    def pid(self):
        # The container's MainPID, translated to the host's view through the lock file is not needed:
        # kill -9 runs inside the container too.
        out = self.run("systemctl", "show", "clawsharp-gateway.service", "-p", "MainPID", "--value", check=False).stdout.strip()
        return int(out) if out.isdigit() and out != "0" else None

    def kill(self, pid):
        self.run("kill", "-9", str(pid))

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


class Builtin:
    def __init__(self, binary):
        self.binary, self.home = binary, tempfile.mkdtemp(prefix="clawsharp-bench-")

    def cli(self, *args):
        subprocess.run([self.binary, "gateway", *args, "--home", self.home], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self, port):
        write_config(self.home)
        self.cli("start", "--port", str(port))

    def restart(self):
        self.cli("restart")

    def pid(self):
        try:
            with open(os.path.join(self.home, "gateway.lock")) as f:
                return json.load(f)["pid"]
        except (OSError, ValueError, KeyError):
            return None

    def kill(self, pid):
        os.kill(pid, signal.SIGKILL)

    def close(self):
        self.cli("stop")


def bench(manager, binary, rounds, rate):
    target = Systemd(binary) if manager == "systemd" else Builtin(binary)
    port = free_port()
    try:
        target.start(port)
        load = Load(port, rate)
        time.sleep(1)
        load.take()
        for _ in range(rounds):
            target.restart()
        time.sleep(0.5)
        restart = summarize(f"{manager}: {rounds} x gateway restart", load.take())
        # More than 3 crashes within 5 minutes is a crash storm under both managers (by design): 3 rounds.
        for _ in range(min(rounds, 3)):
            old = target.pid()
            target.kill(old)
            wait_ready_new_pid(port, old, target.pid)
        time.sleep(0.5)
        crash = summarize(f"{manager}: {min(rounds, 3)} x kill -9", load.take())
        load.close()
        return [restart, crash]
    finally:
        target.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--manager", choices=["systemd", "builtin", "both"], default="both")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    managers = ["systemd", "builtin"] if args.manager == "both" else [args.manager]
    for manager in managers:
        for row in bench(manager, binary, args.rounds, args.rate):
            print(json.dumps(row))


if __name__ == "__main__":
    main()
