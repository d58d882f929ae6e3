"""The public response form under gunicorn with two workers: submissions per second and
latency (p50, p95) of posting the form, on PostgreSQL and on the embedded SQLite.

For each database: a throwaway database (bench/common.py) is migrated and given an open round
with four questions (free text, single and multiple choice, agreement scale); gunicorn serves
plangov with 2 sync workers; a load generator (threads with http.client, one connection per
request as gunicorn's sync workers close them) posts the form, each post with a fresh form
token. Tokens are minted by the generator with the server's SECRET_KEY, exactly as the page
issues them, so the figures are those of the post alone (a real respondent also loads the page
once). Every post goes through the full path: token check, the token's and the address's rate
limits in the shared database cache (atomic counters), the one-response-per-token claim, the
form, the service (round locked FOR SHARE on PostgreSQL) and the redirect to the confirmation.
All posts come from 127.0.0.1, so the per-address ceiling is raised for the run.

    .venv/bin/python bench/public_form.py                      # both databases
    .venv/bin/python bench/public_form.py --only sqlite --posts 1000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python \\
        bench/public_form.py --only postgres

At the end the script checks that every accepted post stored exactly one response.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import postgres_database  # noqa: E402  (bench/ is on sys.path as the script's directory)

PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"
SECRET = "plangov-bench-public-form"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(var_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "plangov.settings.test",
           "PLANGOV_VAR_DIR": str(var_dir), "DJANGO_SECRET_KEY": SECRET,
           "PLANGOV_RESPONSES_PER_ADDRESS_HOUR": "10000000", "DJANGO_LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT),
           "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60")}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


SEED = r"""
import datetime, json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
from plangov import clock
from governance.consultation.models import ConsultationRound
from tests.conftest import build_world, make_plan
from tests.consultation_helpers import open_round
world = build_world()
now = clock.now()
round = open_round(world, opens_at=now - datetime.timedelta(days=1),
                   closes_at=now + datetime.timedelta(days=1))
print(json.dumps({"round": round.pk, "slug": round.plan.partnership.slug,
                  "questions": [q.pk for q in round.questions.order_by("order")]}))
"""

COUNT = r"""
import django
django.setup()
from governance.consultation.models import Response
print(Response.objects.count())
"""


def run_python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1]


def mint_tokens(round_id: int, count: int) -> list[str]:
    from django.conf import settings

    if not settings.configured:
        settings.configure(SECRET_KEY=SECRET)
    from django.core import signing

    from governance.consultation.limits import SALT

    return [signing.dumps({"r": round_id, "n": f"bench{i}-{time.time_ns()}"}, salt=SALT)
            for i in range(count)]


def load(port: int, path: str, bodies: list[bytes], threads: int) -> tuple[list[float], dict]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = list(reversed(bodies))

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                body = queue.pop()
            started = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("POST", path, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Connection": "close"})
            response = conn.getresponse()
            response.read()
            conn.close()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies, statuses


def workers_cpu_seconds(master: int) -> float:
    """User + system CPU seconds of gunicorn's workers (children of ``master``) so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench(label: str, database_url: str | None, args: argparse.Namespace) -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="plangov-bench-form-"))
    env = environment(var_dir, database_url)
    server = None
    try:
        seed = __import__("json").loads(run_python(SEED, env))
        port = free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "plangov.wsgi", "--workers", "2",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            env=env, cwd=ROOT)
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        path = f"/p/{seed['slug']}/consultations/{seed['round']}/"
        free, single, multi, agree = seed["questions"]
        tokens = mint_tokens(seed["round"], args.warmup + args.posts)
        bodies = [urlencode({
            "form_token": token, f"q{free}": f"More youth clubs, open later ({i}).",
            f"q{single}": "yes", f"q{multi}": ["home", "park"], f"q{agree}": "agree",
            "audience": "parents-and-carers", "consent_to_quote": "on" if i % 2 else "",
        }, doseq=True).encode() for i, token in enumerate(tokens)]
        load(port, path, bodies[:args.warmup], args.threads)  # warm both workers up
        cpu_before = workers_cpu_seconds(server.pid)
        started = time.perf_counter()
        latencies, statuses = load(port, path, bodies[args.warmup:], args.threads)
        elapsed = time.perf_counter() - started
        cpu = workers_cpu_seconds(server.pid) - cpu_before
        stored = int(run_python(COUNT, env))
        accepted = statuses.get(302, 0)
        print(f"{label}: {args.posts} posts, {args.threads} client threads, gunicorn 2 workers")
        p50, p95 = (percentile(latencies, p) * 1000 for p in (50, 95))
        print(f"  submissions/s {accepted / elapsed:7.1f}   p50 {p50:6.1f} ms   "
              f"p95 {p95:6.1f} ms   max {max(latencies) * 1000:6.1f} ms")
        print(f"  statuses {dict(sorted(statuses.items()))}; responses stored "
              f"{stored} (warm-up {args.warmup} + accepted {accepted})")
        per_post = cpu / max(1, len(latencies)) * 1000
        print(f"  web workers' CPU {per_post:.1f} ms per post (user+system; the database's own "
              f"CPU not included): two free cores would take about {2000 / per_post:.0f}/s; "
              f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        if stored != args.warmup + accepted:
            print("  MISMATCH: stored responses differ from accepted posts")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--only", choices=["postgres", "sqlite"])
    parser.add_argument("--db-name", default="bench_plangov_public_form")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plangov.settings.test")
    if args.only != "sqlite":
        url = os.environ.get("DATABASE_URL", "").strip() or PG_DEFAULT
        with postgres_database(url, args.db_name) as bench_url:
            bench("PostgreSQL", bench_url, args)
    if args.only != "postgres":
        bench("SQLite (embedded)", None, args)


if __name__ == "__main__":
    main()
