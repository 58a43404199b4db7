#!/usr/bin/env python3
"""Start-up with a big store: exec -> first 200 on /readyz with N messages in state.db.

usage: bench/store-scale.py BINARY [--messages 1000000] [--runs 7] [--schema-from OLD-BINARY]

One command for the issue-18 figure "exec -> ready with 1M messages in the store":
1. a fresh state directory; `BINARY gateway run` once, stopped once ready: the gateway creates
   state.db with its own schema;
2. python's sqlite3 (through SQLite, never the file itself) inserts N sessions' worth of
   messages, their finished runs and delivered replies in one transaction, plus a few queued
   runs and pending replies (what recovery must find among them);
3. one start, timed on its own: it applies any migration this build adds (with --schema-from,
   step 1 ran OLD-BINARY, so this is the upgrade of a big store written by an older release);
4. RUNS timed starts: exec -> /readyz 200, each stopped with SIGTERM. Reports the median, min,
   max, the store's size and the WAL left after the last stop.
"""
import argparse, os, shutil, sqlite3, statistics, subprocess, sys, tempfile, time

from probes import free_port, ready

QUEUED = 20
PENDING = 20


def start_until_ready(binary, home, deadline_s=600):
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "gateway", "run", "--home", home, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not ready(port):
            if proc.poll() is not None:
                raise RuntimeError(f"gateway exited with {proc.returncode} before it was ready")
            if time.perf_counter() - start > deadline_s:
                raise RuntimeError("gateway did not become ready")
            time.sleep(0.001)
        return (time.perf_counter() - start) * 1000
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def seed(path, messages):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    columns = lambda table: {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
    per_message_webhook = "webhook_url" in columns("messages")
    now = int(time.time() * 1000) - 3_600_000
    sessions = max(1, messages // 100)
    db.execute("BEGIN")
    db.executemany("INSERT OR IGNORE INTO sessions (key, agent, created_at) VALUES (?, 'echo', ?)",
                   ((f"bench-{s}", now) for s in range(sessions)))
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM runs").fetchone()[0]

    def rows():
        for i in range(messages):
            yield i, f"msg_bench{i:012x}", f"run_bench{i:012x}", f"bench-{i % sessions}", now + i // 1000

    db.executemany("INSERT INTO messages (id, session_key, text, created_at) VALUES (?, ?, ?, ?)",
                   ((m, s, f"message {i}", t) for i, m, r, s, t in rows()))
    db.executemany(
        "INSERT INTO runs (id, seq, message_id, session_key, status, attempts, created_at, started_at, ended_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)",
        ((r, seq + 1 + i, m, s, "queued" if i >= messages - QUEUED else "completed", t, t, t) for i, m, r, s, t in rows()))
    finished = messages - QUEUED
    if per_message_webhook:
        db.executemany(
            "INSERT INTO replies (run_id, message_id, session_key, state, text, delivered, attempts, next_attempt_at, created_at, delivered_at, published)"
            " VALUES (?, ?, ?, 'final', ?, ?, 1, ?, ?, ?, 1)",
            ((r, m, s, f"message {i}", 0 if i >= finished - PENDING else 1, t, t, t) for i, m, r, s, t in rows() if i < finished))
    else:
        db.executemany(
            "INSERT INTO replies (run_id, message_id, session_key, state, text, delivered, attempts, next_attempt_at, created_at, delivered_at)"
            " VALUES (?, ?, ?, 'final', ?, ?, 1, ?, ?, ?)",
            ((r, m, s, f"message {i}", 0 if i >= finished - PENDING else 1, t, t, t) for i, m, r, s, t in rows() if i < finished))
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--schema-from", help="create state.db with this (older) binary, to time the upgrade's migration")
    args = parser.parse_args()
    binary = os.path.abspath(args.binary)
    home = tempfile.mkdtemp(prefix="clawsharp-store-scale-")
    store = os.path.join(home, "state.db")
    try:
        start_until_ready(os.path.abspath(args.schema_from) if args.schema_from else binary, home)
        began = time.perf_counter()
        seed(store, args.messages)
        seeded_s = time.perf_counter() - began
        first_ms = start_until_ready(binary, home)
        times = [start_until_ready(binary, home) for _ in range(args.runs)]
        wal = os.path.join(home, "state.db-wal")
        print(f"{args.messages} messages seeded in {seeded_s:.1f} s; store {os.path.getsize(store) / 2**20:.0f} MiB")
        print(f"first start (applies migrations once): {first_ms:.1f} ms")
        print(f"exec -> ready over {args.runs} runs: median {statistics.median(times):.1f} ms, "
              f"min {min(times):.1f}, max {max(times):.1f}")
        print(f"WAL after the last stop: {os.path.getsize(wal) if os.path.exists(wal) else 0} bytes")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
