#!/usr/bin/env python3
"""Writes the method order file the Native AOT publish lays the gateway's start-up code out by (issue 18).

usage: bench/startup-order.py BINARY [--out FILE] [--settle-seconds S] [--bench PATH]

BINARY is a Native AOT publish (bench/publish-aot.sh) with its BINARY.dbg beside it. The gateway runs under
valgrind's callgrind (a fresh state directory): start, ready on /readyz, S seconds idle, then some of each kind
of traffic (WebSocket upgrades, chat.send over the protocol with `ClawSharp.Bench send`, POST /v1/messages,
/healthz, /metrics), then SIGTERM. Every instruction it executed in the binary is mapped to its symbol
(BINARY.dbg), and the managed methods among them are written one mangled name a line, in the binary's address
order (those run from exec to idle first, then those the traffic ran, then those only the shutdown ran), to FILE (default
src/ClawSharp.Cli/startup-methods.order). The CLI project passes FILE to ILC (IlcOrderFile): those methods are
placed together at the start of the managed code, and the rest after them.

Why: the kernel maps a binary's text in 64 KiB page-cache folios, so one executed method maps its whole
neighbourhood. In the default layout the ~1.5 MiB of code a start runs is spread over the whole 9.6 MB of text
and ~8.5 MiB of it was resident at idle; laid out together, ~2.4 MiB. A name the compiler no longer has is
ignored, and a method missing from the file is only laid out among the rest: a stale file costs memory, never
correctness. Rerun after changes to what the gateway does at start (bench/RESULTS.md, "Memory").
"""
import argparse, bisect, collections, http.client, os, re, shutil, signal, subprocess, sys, tempfile, time

import memory
from loadgen import DEFAULT_BENCH, run_send
from probes import free_port, ready
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "src", "ClawSharp.Cli", "startup-methods.order")
# Native code the compiler does not lay out (the runtime's C++, its assembly helpers, the System.Native shims):
# left out of the file, which lists only what ILC orders.
NATIVE = re.compile(r"^(_Z|Rhp|Rh[A-Z]|SystemNative_|CryptoNative_|CompressionNative_|GlobalizationNative_|"
                    r"NativeRuntimeEventSource_|_start$|main$|_init$|_fini$|atexit$|__libc|frame_dummy|register_tm|deregister_tm)")


def symbols(dbg):
    """(start, size, name) of every function symbol, sorted by start."""
    out = subprocess.run(["nm", "-S", "--defined-only", dbg], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            rows.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    rows.sort()
    return rows


def dump(pid, path):
    subprocess.run(["callgrind_control", "--dump", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    deadline = time.monotonic() + 60
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise RuntimeError(f"callgrind did not write {path}")
        time.sleep(0.2)


def serve(port, home, bench):
    """A little of each kind of traffic a gateway serves: what it runs for it is laid out next to the start-up code,
    so serving touches few of the binary's pages besides those (bench/RESULTS.md, "Memory", connections)."""
    # The token the gateway made (`ClawSharp.Bench send` reads it there too), for memory.py's helpers as well.
    with open(os.path.join(home, "token")) as f:
        memory.TOKEN = f.read().strip()
    memory.websocket_upgrades(port, 10)
    memory.tcp_connections(port, 10)
    memory.post_messages(port, 20, 0)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {memory.TOKEN}"})
    conn.getresponse().read()
    conn.close()
    run_send(bench, home, port, 40, 2, 8)


def run_under_callgrind(binary, settle_seconds, out_file, bench):
    # valgrind gives up on the compiler's .dbg file: run a copy of the binary (and its SQLite) without it
    work = tempfile.mkdtemp(prefix="clawsharp-order-")
    home = tempfile.mkdtemp(prefix="clawsharp-order-home-")
    proc = None
    try:
        copy = os.path.join(work, "clawsharp")
        shutil.copy2(binary, copy)
        sqlite = os.path.join(os.path.dirname(binary), "libe_sqlite3.so")
        if os.path.exists(sqlite):
            shutil.copy2(sqlite, work)
        port = free_port()
        proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--dump-instr=yes", "--dump-line=no", "--compress-pos=no",
                                 "--compress-strings=no", f"--callgrind-out-file={out_file}",
                                 copy, "gateway", "run", "--home", home, "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not ready(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the gateway did not become ready under valgrind")
            time.sleep(0.2)
        time.sleep(settle_seconds)
        # exec to idle in OUT.1, the traffic in OUT.2, the shutdown in OUT
        dump(proc.pid, out_file + ".1")
        serve(port, home, bench)
        dump(proc.pid, out_file + ".2")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def executed_addresses(callgrind_out, exe_name):
    """Instruction addresses callgrind saw in the binary: those of the part it could name, as file offsets; those of
    the code it could not (the managed code: object '???'), as run-time addresses, with the first address of each
    function it entered there (its 'fn=' lines)."""
    known, unknown, entries, obj = set(), set(), set(), None
    with open(callgrind_out) as f:
        for line in f:
            if line.startswith("ob="):
                obj = line[3:].strip()
            elif line.startswith("fn=0x") and obj == "???":
                entries.add(int(line[3:].split()[0].split("'")[0], 16))
            elif line.startswith("0x") and obj is not None:
                address = int(line.split()[0], 16)
                if obj.endswith("/" + exe_name):
                    known.add(address)
                elif obj == "???":
                    unknown.add(address)
    return known, unknown, entries


def load_base(entries, starts):
    """valgrind loads the binary at an address of its own choosing: the offset under which the most function entries
    callgrind saw are a symbol's first instruction."""
    start_set = set(starts)
    sample = sorted(entries)[::max(1, len(entries) // 300)]
    best = (0, 0)
    for anchor in sample[:3]:
        for start in starts:
            delta = anchor - start
            if delta < 0 or delta % 0x1000:
                continue
            hits = sum(1 for a in sample if a - delta in start_set)
            best = max(best, (hits, delta))
    if best[0] < len(sample) // 2:
        raise RuntimeError("could not find where valgrind loaded the binary")
    return best[1]


def executed_methods(callgrind_out, syms, starts):
    """The managed methods a callgrind dump saw run, by name."""
    known, unknown, entries = executed_addresses(callgrind_out, "clawsharp")
    base = load_base(entries, starts)
    hit = {}
    for address in known | {a - base for a in unknown}:
        i = bisect.bisect_right(starts, address) - 1
        if i >= 0 and syms[i][0] <= address < syms[i][0] + max(syms[i][1], 1) and not NATIVE.match(syms[i][2]):
            hit[syms[i][2]] = syms[i]
    return hit


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--settle-seconds", type=float, default=4.0)
    parser.add_argument("--bench", default=DEFAULT_BENCH)
    args = parser.parse_args()
    dbg = args.binary + ".dbg"
    if not os.path.exists(dbg):
        sys.exit(f"{dbg} not found: publish with bench/publish-aot.sh (it keeps the .dbg beside the binary)")
    if shutil.which("valgrind") is None:
        sys.exit("valgrind not found (apt-get install valgrind)")
    syms = symbols(dbg)
    starts = [s[0] for s in syms]
    with tempfile.TemporaryDirectory(prefix="clawsharp-callgrind-") as tmp:
        out_file = os.path.join(tmp, "callgrind.out")
        run_under_callgrind(args.binary, args.settle_seconds, out_file, args.bench)
        idle = executed_methods(out_file + ".1", syms, starts)
        serving = executed_methods(out_file + ".2", syms, starts)
        shutdown = executed_methods(out_file, syms, starts)
    # what a start and an idle gateway run first, then what traffic runs, then what only the shutdown runs: idle maps
    # none of the latter two, and a serving gateway few of the last
    served = sorted(m for name, m in serving.items() if name not in idle)
    ordered = sorted(idle.values()) + served + sorted(m for name, m in shutdown.items() if name not in idle and name not in serving)
    with open(args.out, "w") as f:
        for _, _, name in ordered:
            f.write(name + "\n")
    code = sum(s[1] for s in ordered)
    print(f"{len(idle)} managed methods run from exec to {args.settle_seconds:g} s idle, then {len(served)} by the traffic, "
          f"then {len(ordered) - len(idle) - len(served)} only by the shutdown ({code // 1024} KiB of code); written to "
          f"{os.path.relpath(args.out)}")


if __name__ == "__main__":
    main()
