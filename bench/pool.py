#!/usr/bin/env python3
"""Adds IDs <prefix>0 … <prefix>N-1 straight into a throwaway server's SQLite database.

The creation and memory figures need one ID per auth session: a second request for an ID
with a live session is stored SUSPENDED instead of PENDING (R-S7). Enrolling through the
device API costs 1-3 ms per ID (OpenSSL's PEM decoder, a COUNT(*) over all IDs), far too
slow for 250,000 IDs, and ReqRequestAuthSession only looks the ID up in `identities` (no
device needed), so the pool is inserted here in one transaction. Only ever run against the
bench's temp directory.

  pool.py DB_PATH PREFIX COUNT
"""
import sqlite3
import sys
import time

path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = sqlite3.connect(path, timeout=30)
now = int(time.time() * 1000)
with db:  # one transaction
    db.executemany("INSERT INTO identities(key, name, created_ms) VALUES (?, ?, ?)",
                   ((f"{prefix}{i}".lower(), f"{prefix}{i}", now) for i in range(count)))
db.close()
