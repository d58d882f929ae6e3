#!/usr/bin/env python
"""Offline verification of an audit export (``verify_audit --export``) at 10,000 and 100,000
events: how long it takes and how it grows.

Usage (from the repository root): ``python bench/audit_export_verify.py [--sizes 10000 100000]``

No database: the script writes a synthetic, correctly chained and signed export (the test
suite's signing certificate, plangov.settings.test; made if missing) in a temporary directory,
then times governance.audit_export.verify_export on it. This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plangov.settings.test")


def main() -> None:
    import django

    django.setup()
    from cryptography.hazmat.primitives.serialization import pkcs12
    from django.conf import settings

    from documents.publishing.signing import make_demo_credentials
    from governance.audit_export import (
        FORMAT,
        GENESIS,
        canonical,
        checkpoint_line,
        load_roots,
        payload_hash,
        verify_export,
    )

    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    sizes = parser.parse_args().sizes
    make_demo_credentials(Path(settings.PLANGOV_SIGNING_P12).parent)
    key, cert, _ = pkcs12.load_key_and_certificates(
        Path(settings.PLANGOV_SIGNING_P12).read_bytes(),
        str(settings.PLANGOV_SIGNING_PASSPHRASE).encode())
    roots = load_roots(settings.PLANGOV_SIGNING_TRUST_ROOTS)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"audit-{n}.jsonl"
            prev, digest = GENESIS, hashlib.sha256()
            with open(path, "w", encoding="utf-8") as out:
                for seq in range(1, n + 1):
                    payload = {
                        "seq": seq, "created_at": "2026-11-30T10:00:00+00:00", "actor_id": 3,
                        "actor_label": "board_secretary", "action": "decision.record",
                        "object_type": "governance.decision", "object_id": str(seq),
                        "plan_id": 7, "before": {"stage": "submitted"},
                        "after": {"stage": "approved", "decided_on": "2026-11-01"},
                        "reason": "", "prev_hash": prev,
                    }
                    prev = payload_hash(payload)
                    line = canonical({**payload, "hash": prev}) + "\n"
                    digest.update(line.encode("utf-8"))
                    out.write(line)
                checkpoint = {
                    "format": FORMAT, "scope": "chain", "head_seq": n, "head_hash": prev,
                    "count": n, "events_sha256": digest.hexdigest(),
                    "exported_at": datetime.datetime.now(datetime.UTC).isoformat(),
                }
                out.write(checkpoint_line(checkpoint, private_key=key,
                                          certificates=[cert]) + "\n")
            started = time.perf_counter()
            report = verify_export(path, trust_roots=roots)
            took = time.perf_counter() - started
            assert report.ok, report.problem
            print(f"{n:>9,} events  {path.stat().st_size / 2**20:7.1f} MiB  "
                  f"verify_export {took:6.2f} s  ({n / took:,.0f} events/s)")


if __name__ == "__main__":
    main()
