#!/usr/bin/env python3
"""The floor under a one-at-a-time durable client: what one synced commit of an accepted message
costs on this disk with no HTTP and no .NET at all (issue 18, "HTTP POST /v1/messages, one
keep-alive client").

usage: bench/durable-floor.py BINARY [--commits N] [--runs R]

A client that waits for each acknowledgement gets no group commit: in `durable` mode every
message is one synced commit on its critical path. This measures, in a state directory on the
same disk as the gateway's:
1. sync: pwrite of 20 KiB (one commit's WAL frames) into a preallocated file, then fdatasync;
   the median time of the fdatasync alone.
2. bare: python's sqlite3, WAL, 1 KiB pages, synchronous=FULL, one commit per row into a table
   with no index: the fastest synced SQLite commit here.
3. accept: the gateway's own state.db (BINARY creates it and is stopped), and through python's
   sqlite3 the rows the gateway writes when it accepts a message and answers it at once (message,
   run, reply), plus the previous reply's published mark (the gateway folds that into the next
   write): one commit per message, in durable (synchronous=FULL) and fast (NORMAL).
   python's own cost per statement (a few us) is inside these figures.
Prints medians over R runs, the ceilings they set (1e6 / us per commit), and one JSON line.
"""
import argparse, json, os, shutil, sqlite3, statistics, sys, tempfile, time

from loadgen import start_gateway
from probes import stop_gateway

FRAMES = 20 * 1024


def sync_us(directory, n):
    path = os.path.join(directory, "sync-probe")
    size = 4 << 20
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.write(fd, b"\0" * size)
        os.fsync(fd)
        buf, offset, times = b"x" * FRAMES, 0, []
        for _ in range(n):
            os.pwrite(fd, buf, offset)
            offset = (offset + FRAMES) % (size - FRAMES)
            start = time.perf_counter()
            os.fdatasync(fd)
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1e6
    finally:
        os.close(fd)
        os.unlink(path)


def open_wal(path, synchronous):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA page_size = 1024")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute(f"PRAGMA synchronous = {synchronous}")
    return db


def bare_us(directory, n):
    path = os.path.join(directory, "bare.db")
    db = open_wal(path, "FULL")
    try:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, text TEXT)")
        start = time.perf_counter()
        for i in range(n):
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO t (text) VALUES (?)", (f"hello {i}",))
            db.execute("COMMIT")
        return (time.perf_counter() - start) / n * 1e6
    finally:
        db.close()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)


def accept_us(store, synchronous, n, tag):
    """The accepting write of an at-once answered message, as GatewayStore spells it."""
    db = open_wal(store, synchronous)
    try:
        db.execute("INSERT OR IGNORE INTO sessions (key, agent, created_at) VALUES ('floor', 'echo', 0)")
        previous = None
        start = time.perf_counter()
        for i in range(n):
            now = int(time.time() * 1000)
            message, run = f"msg_{now:012x}{os.urandom(8).hex()}", f"run_{now:012x}{os.urandom(8).hex()}"
            db.execute("BEGIN IMMEDIATE")
            if previous is not None:
                db.execute("UPDATE replies SET published = 1, delivered = 1, delivered_at = ?, attempts = attempts + 1 WHERE id = ?", (now, previous))
            db.execute("INSERT INTO messages (id, session_key, session_idempotency_key, text, webhook_url, created_at) VALUES (?, 'floor', ?, 'hello', NULL, ?)",
                       (message, f"{tag}-{i}", now))
            db.execute("""INSERT INTO runs (id, seq, message_id, session_key, status, attempts, error, created_at, started_at, ended_at)
                          VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM runs), ?, 'floor', 'completed', 1, NULL, ?, ?, ?)""", (run, message, now, now, now))
            db.execute("""INSERT OR IGNORE INTO replies (run_id, message_id, session_key, state, text, webhook_url, next_attempt_at, created_at)
                          SELECT r.id, r.message_id, r.session_key, 'final', 'hello', m.webhook_url, ?, ? FROM runs r JOIN messages m ON m.id = r.message_id WHERE r.id = ?""",
                       (now, now, run))
            previous = db.execute("SELECT last_insert_rowid()").fetchone()[0]
            db.execute("COMMIT")
        return (time.perf_counter() - start) / n * 1e6
    finally:
        db.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary")
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    root = tempfile.mkdtemp(prefix="clawsharp-floor-")
    try:
        results = {"sync": [], "bare": [], "accept_durable": [], "accept_fast": []}
        for run in range(args.runs):
            store = os.path.join(root, f"state-{run}.db")
            proc, home, _ = start_gateway(args.binary)
            try:
                proc.terminate()
                proc.wait(timeout=30)
                shutil.copy(os.path.join(home, "state.db"), store)
            finally:
                stop_gateway(proc, home)
            results["sync"].append(sync_us(root, args.commits))
            results["bare"].append(bare_us(root, args.commits))
            results["accept_durable"].append(accept_us(store, "FULL", args.commits, f"d{run}"))
            results["accept_fast"].append(accept_us(store, "NORMAL", args.commits, f"f{run}"))
            print(f"run {run + 1}: " + ", ".join(f"{k} {v[-1]:.0f} us" for k, v in results.items()), flush=True)
        medians = {k: round(statistics.median(v), 1) for k, v in results.items()}
        print(f"fdatasync of 20 KiB:                   {medians['sync']:6.0f} us")
        print(f"synced commit, one row, no index:      {medians['bare']:6.0f} us  (ceiling {1e6 / medians['bare']:,.0f} commits/s)")
        print(f"accept commit, durable (FULL):         {medians['accept_durable']:6.0f} us  (ceiling {1e6 / medians['accept_durable']:,.0f} msg/s with free HTTP)")
        print(f"accept commit, fast (NORMAL):          {medians['accept_fast']:6.0f} us  (ceiling {1e6 / medians['accept_fast']:,.0f} msg/s with free HTTP)")
        print(json.dumps({"bench": "durable-floor", "commits": args.commits, "runs": args.runs, "median_us": medians}))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
