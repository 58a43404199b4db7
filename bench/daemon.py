#!/usr/bin/env python3
"""Daemon-mode harness (issue 5): `gateway start` to ready, `gateway restart` to ready,
crash (kill -9 of the gateway) to back ready under the built-in supervisor, and a lost
supervisor (kill -9 of it) to supervised again.

usage: bench/daemon.py BINARY [--runs N] [--backoff-ms MS] [--rate R]

Each run uses a fresh temp state directory and a free loopback port.
- start: wall time of `BINARY gateway start` (it returns once /readyz answers 200).
- restart: wall time of `BINARY gateway restart` (returns once the new process is ready;
  under the supervisor that is exit 75 and a fresh process).
- crash: from SIGKILL of the gateway PID until /readyz answers 200 again (raw sockets,
  polled every 1 ms) from a new PID; includes the supervisor's backoff (daemon.backoffMs,
  default 1000 ms; pass --backoff-ms to see the mechanism without it).
- supervised again: SIGKILL of the supervisor, then the wall time of `BINARY gateway start`
  (it restarts the gateway that serves on alone under a new supervisor, which takes the socket
  over, and returns once that supervisor's gateway is ready), with R connections a second
  (GET /healthz, one each) running throughout; every refused one is counted. These runs set
  daemon.resupervise false, so that the start does it.
- by itself again (separate runs, default config): SIGKILL of the supervisor until a new
  supervisor's gateway is ready, nobody asking (the gateway looks every 2 s), same load.
Then `gateway stop`. Reports median, min, max per measure, and the refusals.
"""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time

from probes import Load, free_port, ready


def lock_pid(home):
    try:
        with open(os.path.join(home, "gateway.lock")) as f:
            return json.load(f)["pid"]
    except (OSError, ValueError, KeyError):
        return None


def cli(binary, home, *args):
    start = time.perf_counter()
    # No timeout= here: with one, Python polls for the exit with growing sleeps (up to 50 ms)
    # and that granularity shows up in the figures.
    subprocess.run([binary, "gateway", *args, "--home", home], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def daemon_state(home):
    with open(os.path.join(home, "daemon.json")) as f:
        return json.load(f)


def one_run(binary, backoff_ms, rate):
    home = tempfile.mkdtemp(prefix="clawsharp-bench-")
    port = free_port()
    # The gateway's own re-supervision off: this run measures `gateway start` doing it (auto_run measures the other).
    daemon = {"resupervise": False}
    if backoff_ms is not None:
        daemon["backoffMs"] = backoff_ms
    with open(os.path.join(home, "config.json"), "w") as f:
        json.dump({"daemon": daemon}, f)
    try:
        start_ms = cli(binary, home, "start", "--port", str(port))
        restart_ms = cli(binary, home, "restart")
        old = lock_pid(home)
        t0 = time.perf_counter()
        os.kill(old, signal.SIGKILL)
        deadline = t0 + 30
        while not (lock_pid(home) not in (None, old) and ready(port)):
            if time.perf_counter() > deadline:
                raise RuntimeError("gateway did not come back")
            time.sleep(0.001)
        crash_ms = (time.perf_counter() - t0) * 1000
        supervisor = daemon_state(home)["supervisorPid"]
        load = Load(port, rate)
        time.sleep(0.2)  # the load reaches the gateway before the fault
        os.kill(supervisor, signal.SIGKILL)
        while os.path.exists(f"/proc/{supervisor}"):
            time.sleep(0.001)
        again_ms = cli(binary, home, "start", "--port", str(port))
        time.sleep(0.2)
        load.close()
        outcomes = [outcome for _, _, outcome in load.take()]
        if daemon_state(home)["supervisorPid"] == supervisor:
            raise RuntimeError("no new supervisor")
        return start_ms, restart_ms, crash_ms, again_ms, outcomes.count("refused"), len(outcomes)
    finally:
        subprocess.run([binary, "gateway", "stop", "--home", home],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(home, ignore_errors=True)


def auto_run(binary, rate):
    """SIGKILL of the supervisor -> a new supervisor's gateway ready, with nobody asking (daemon.resupervise)."""
    home = tempfile.mkdtemp(prefix="clawsharp-bench-")
    port = free_port()
    try:
        cli(binary, home, "start", "--port", str(port))
        supervisor, gateway = daemon_state(home)["supervisorPid"], lock_pid(home)
        load = Load(port, rate)
        time.sleep(0.2)
        t0 = time.perf_counter()
        os.kill(supervisor, signal.SIGKILL)
        deadline = t0 + 30
        while not (lock_pid(home) not in (None, gateway) and daemon_state(home).get("supervisorPid") != supervisor
                   and daemon_state(home).get("state") == "running" and ready(port)):
            if time.perf_counter() > deadline:
                raise RuntimeError("the gateway did not put itself back under a supervisor")
            time.sleep(0.001)
        healed_ms = (time.perf_counter() - t0) * 1000
        time.sleep(0.2)
        load.close()
        outcomes = [outcome for _, _, outcome in load.take()]
        return healed_ms, outcomes.count("refused"), len(outcomes)
    finally:
        subprocess.run([binary, "gateway", "stop", "--home", home],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(home, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--backoff-ms", type=int, default=None)
    parser.add_argument("--rate", type=int, default=200)
    args = parser.parse_args()
    results = [one_run(args.binary, args.backoff_ms, args.rate) for _ in range(args.runs)]
    columns = list(zip(*results))
    for name, values in zip(("start -> ready", "restart -> ready", "crash -> back ready", "lost supervisor -> supervised again"), columns):
        print(f"{name:36} median {statistics.median(values):8.1f} ms   min {min(values):8.1f}   max {max(values):8.1f}")
    print(f"connections refused while supervised again: {sum(columns[4])} of {sum(columns[5])}")
    auto = [auto_run(args.binary, args.rate) for _ in range(args.runs)]
    healed = [a[0] for a in auto]
    print(f"{'lost supervisor -> by itself again':36} median {statistics.median(healed):8.1f} ms   min {min(healed):8.1f}   max {max(healed):8.1f}")
    print(f"connections refused meanwhile: {sum(a[1] for a in auto)} of {sum(a[2] for a in auto)}")
    return 1 if sum(columns[4]) or sum(a[1] for a in auto) else 0


if __name__ == "__main__":
    sys.exit(main())
