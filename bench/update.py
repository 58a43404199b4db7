#!/usr/bin/env python3
"""Update restart downtime (issue 16): `clawsharp update --from RELEASE` under a steady request stream.

usage: bench/update.py BINARY_DIR [--rounds N] [--rate R]

BINARY_DIR is a folder holding a clawsharp build (the Native AOT one: bench/publish-aot.sh DIR).
It is copied to a temp "installed" folder and into a fake release folder with SHA256SUMS; an
unsupervised `gateway run` of the installed copy serves while a load thread opens a fresh
connection and sends GET /healthz every 1/R s (default 200/s); then N rounds of
`update --from RELEASE` (each: checksum, --version check, atomic swap, a health-checked
fresh-PID restart onto the new file, waiting until it is ready). Reports refused connections,
requests not answered, the longest gap between answers and the p99 latency, and the median
wall time of one update.
"""
import argparse, hashlib, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probes import Load, free_port, ready, summarize  # noqa: E402


def rid():
    machine = os.uname().machine
    return "linux-arm64" if machine in ("aarch64", "arm64") else "linux-x64"


def make_release(build, root):
    folder = os.path.join(root, "release", "0.1.0")
    target = os.path.join(folder, rid())
    shutil.copytree(build, target)
    digest = hashlib.sha256(open(os.path.join(target, "clawsharp"), "rb").read()).hexdigest()
    with open(os.path.join(folder, "SHA256SUMS"), "w") as f:
        f.write(f"{digest}  {rid()}/clawsharp\n")
    return folder


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--rate", type=int, default=200)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="clawsharp-update-bench-")
    installed = os.path.join(root, "installed")
    shutil.copytree(args.build, installed)
    binary = os.path.join(installed, "clawsharp")
    release = make_release(args.build, root)
    home = os.path.join(root, "home")
    os.makedirs(home, mode=0o700)
    with open(os.open(os.path.join(home, "config.json"), os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        json.dump({"gateway": {"reload": {"cooldownMs": 0}}}, f)
    port = free_port()
    gateway = subprocess.Popen([binary, "gateway", "run", "--home", home, "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not ready(port):
            time.sleep(0.01)
        load = Load(port, args.rate)
        time.sleep(1)
        load.take()
        walls = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            subprocess.run([binary, "update", "--from", release, "--home", home], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            walls.append((time.perf_counter() - start) * 1000)
        time.sleep(0.5)
        row = summarize(f"{args.rounds} x update --from (unsupervised, fresh-PID hand-over)", load.take())
        row["update_wall_ms_median"] = round(statistics.median(walls), 1)
        load.close()
        print(json.dumps(row))
    finally:
        subprocess.run([binary, "gateway", "stop", "--home", home], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        gateway.poll() is None and gateway.send_signal(signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
