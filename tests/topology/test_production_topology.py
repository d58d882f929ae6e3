"""The production topology, started for real and driven through its API (issue 13, item 5).

PostgreSQL (a database of this test's own, created and dropped), Redis (db
PLANGOV_TOPOLOGY_REDIS_DB, default 11, flushed before and after), gunicorn with
deploy/gunicorn.conf.py (two workers), ``celery -A plangov worker`` and ``celery -A plangov
beat``, all under plangov.settings.production with a throwaway CA and signing certificate.
Requests come as a TLS-terminating proxy would send them (X-Forwarded-Proto: https).

The journey: a lead officer creates a plan and writes a version, submits it; both boards'
secretaries record their approval and the executive's secretary the executive's, all dated
weeks ago, so the call-in period is already over; beat's scan of call-in periods has the
worker adopt the plan, and the worker renders and signs its PDF; the PDF is downloaded and
verified by the public verify endpoint. /healthz reports everything up, static files are
served by WhiteNoise from collectstatic's hashed copies, and the logs are JSON lines. Last,
the worker is stopped: pages and the API still serve, and /healthz reports the worker (only
it) down.

Marked ``once``: .ci/run runs it in the PostgreSQL pass (DATABASE_URL a PostgreSQL server,
CELERY_BROKER_URL a Redis one). Run it alone:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        python -m pytest tests/topology -q
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from .stack import Stack, postgres_server_url, redis_url, wait_for

pytestmark = pytest.mark.once

PROXY = {"X-Forwarded-Proto": "https"}
PASSWORD = "topology-" + "x9F!" * 4  # set for every York person by the set-up step
TIMEOUT = 30

# Run by `manage.py shell -c` against the new database: York's governance, and a password
# for each of its people (production has no demo loader).
SETUP = """
from pathlib import Path
import governance
from django.contrib.auth import get_user_model
from governance.importer import import_governance
path = Path(governance.__file__).resolve().parent / "demo" / "york.yaml"
report = import_governance(text=path.read_text(encoding="utf-8"), source="topology test")
from django_otp.plugins.otp_totp.models import TOTPDevice
import hashlib
for user in get_user_model().objects.filter(username__in=report.usernames):
    user.set_password({password!r})
    user.save(update_fields=["password"])
    # Two-factor is required in production for secretaries and executive members: each
    # person's authenticator app, with a key the journey derives the same way (totp_code).
    TOTPDevice.objects.create(user=user, name="app", confirmed=True,
                              key=hashlib.sha256(("topology:" + user.username).encode())
                              .hexdigest()[:40])
print("people:", len(report.usernames))
"""


def totp_code(username: str) -> str:
    """The current code of the person's authenticator app (the key the set-up gave it)."""
    from django_otp.oath import totp

    key = hashlib.sha256(f"topology:{username}".encode()).hexdigest()[:40]
    return f"{totp(bytes.fromhex(key)):06d}"


def obtain_token(base: str, username: str, password: str) -> str:
    """An API token as a client gets one: the public token endpoint, with the current
    two-factor code (required in production for secretaries and executive members; ignored
    for the others)."""
    response = requests.post(f"{base}/api/v1/auth/token/", headers=PROXY, timeout=TIMEOUT,
                             json={"username": username, "password": password,
                                   "otp": totp_code(username)})
    assert response.status_code == 200, response.text
    return response.json()["token"]


class Client:
    """One person's API client, through the proxy."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers.update(PROXY)
        self.session.headers["Authorization"] = f"Token {obtain_token(base, username, PASSWORD)}"

    def call(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.base}{path}", timeout=TIMEOUT, **kwargs)
        assert response.status_code == expect, (
            f"{method} {path}: {response.status_code} {response.text[:2000]}")
        return response


def working_day(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def decision(body: str, on: datetime.date) -> dict[str, Any]:
    return {"body": body, "outcome": "approved", "decided_on": on.isoformat(), "attendance": 8,
            "minute_reference": f"{body}/{on:%Y}/7", "votes_for": 7, "votes_against": 0,
            "votes_abstaining": 1}


@pytest.fixture
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    server = postgres_server_url()
    broker = redis_url(int(os.environ.get("PLANGOV_TOPOLOGY_REDIS_DB", "11")))
    if server is None or broker is None:
        pytest.skip("The production topology needs DATABASE_URL (PostgreSQL) and "
                    "CELERY_BROKER_URL (Redis); .ci/run sets both.")
    name = (os.environ.get("PLANGOV_TEST_DB_NAME", "").strip() or "test_plangov") + "_topology"
    running = Stack(server_url=server, db_name=name, broker_url=broker)
    failed_before = request.session.testsfailed
    try:
        yield running
    finally:
        if request.session.testsfailed > failed_before:
            # Any failure, not only a timeout: each process's log, in the teardown's output.
            print(f"\nThe processes' logs:\n{running.logs(200)}")
        running.close()


def test_the_production_topology_adopts_signs_and_verifies_a_plan(stack: Stack) -> None:
    started = time.monotonic()
    stack.create_database()
    stack.flush_redis()
    stack.manage("migrate", "--noinput")
    stack.manage("collectstatic", "--noinput")
    assert "people:" in stack.manage("shell", "-c", SETUP.format(password=PASSWORD))
    stack.start_all()
    base = stack.base

    # Ready when /healthz says everything is up: web, database, broker, a worker's heartbeat
    # (a starting worker beats at once) and the certificate.
    def healthy() -> bool:
        return requests.get(f"{base}/healthz", headers=PROXY, timeout=5).status_code == 200

    wait_for("/healthz to answer 200", healthy, 120, stack)
    ready = time.monotonic()
    health = requests.get(f"{base}/healthz", headers=PROXY, timeout=TIMEOUT).json()
    assert health["status"] == "ok"
    assert 20 < health["checks"]["signing_certificate"]["days_to_expiry"] <= 30
    # A load balancer probing over plain HTTP gets the same answer, not a redirect.
    plain = requests.get(f"{base}/healthz", timeout=TIMEOUT, allow_redirects=False)
    assert plain.status_code == 200, plain.status_code

    # Static files: the sign-in page links collectstatic's hashed copies; WhiteNoise serves
    # them with far-future caching.
    login = requests.get(f"{base}/accounts/login/", headers=PROXY, timeout=TIMEOUT)
    assert login.status_code == 200, login.text[:500]
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', login.text)
    assert css, "no hashed stylesheet linked from the sign-in page"
    asset = requests.get(f"{base}{css.group(1)}", headers=PROXY, timeout=TIMEOUT)
    assert asset.status_code == 200 and "max-age=315360000" in asset.headers["Cache-Control"]

    # The journey, dated weeks ago as if recorded after the events.
    today = datetime.date.today()
    started_on = working_day(today - datetime.timedelta(days=60))
    submitted_on = working_day(today - datetime.timedelta(days=50))
    boards_on = working_day(today - datetime.timedelta(days=40))
    executive_on = working_day(today - datetime.timedelta(days=30))
    lead = Client(base, "lead")
    plan = lead.call("POST", "/api/v1/plans/", 201, json={
        "title": "Topology Action Plan", "kind": "action_plan",
        "period_start": f"{today.year}-04-01", "period_end": f"{today.year + 3}-03-31",
        "partnership": "yorok", "owning_body": "yorok-board",
        "approving_bodies": ["yorok-board", "safeguarding-board"],
        "executive_body": "executive", "subject_to_call_in": True,
        "created_on": started_on.isoformat(),
    }).json()
    pk = plan["id"]
    lead.call("POST", f"/api/v1/plans/{pk}/versions/", 201, json={
        "content": {"vision": "Every child in York safe and well.",
                    "outcomes": [{"key": "safe", "title": "Staying safe"}]},
        "note": "For approval.", "effective_on": started_on.isoformat()})
    lead.call("POST", f"/api/v1/plans/{pk}/actions/submit/", 200,
              json={"reason": "For the boards.", "on": submitted_on.isoformat()})
    for username, body in (("yorok-secretary", "yorok-board"),
                           ("safeguarding-secretary", "safeguarding-board")):
        Client(base, username).call("POST", f"/api/v1/plans/{pk}/decisions/", 201,
                                    json=decision(body, boards_on))
    Client(base, "executive-secretary").call("POST", f"/api/v1/plans/{pk}/decisions/", 201,
                                             json=decision("executive", executive_on))
    in_call_in = lead.call("GET", f"/api/v1/plans/{pk}/", 200).json()
    assert in_call_in["stage"] in ("call_in", "adopted"), in_call_in["stage"]
    assert datetime.date.fromisoformat(in_call_in["call_in_ends_on"]) < today

    # Adoption: beat's scan finds the call-in period over and the worker adopts the plan.
    def adopted() -> bool:
        return lead.call("GET", f"/api/v1/plans/{pk}/", 200).json()["stage"] == "adopted"

    wait_for("the worker to adopt the plan after its call-in period", adopted, 90, stack)

    # The worker renders and signs the adopted plan's PDF.
    def signed() -> dict[str, Any] | None:
        documents = lead.call("GET", f"/api/v1/documents/?plan={pk}", 200).json()["results"]
        plan_documents = [d for d in documents if d["kind"] == "plan"]
        if plan_documents and plan_documents[0]["status"] == "failed":
            raise AssertionError(f"Rendering failed: {plan_documents[0]['error']}\n"
                                 f"{stack.logs()}")
        done = [d for d in plan_documents if d["status"] == "done"]
        return done[0] if done else None

    wait_for("the worker to render and sign the plan's PDF", lambda: signed() is not None,
             180, stack)
    document = signed()
    assert document is not None
    pdf = lead.call("GET", document["file_url"], 200)
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == document["file_sha256"] \
        == pdf.headers["X-Content-SHA256"]
    verified = requests.post(f"{base}/api/v1/documents/verify/", headers=PROXY,
                             timeout=TIMEOUT,
                             files={"file": ("plan.pdf", pdf.content, "application/pdf")})
    assert verified.status_code == 200, verified.text
    result = verified.json()
    assert result["verdict"] == "valid" and result["matches_record"] is True, result
    assert result["document"]["key"] == document["key"]
    finished = time.monotonic()

    # The worker stops: pages still serve, and /healthz says the worker is down (and only it).
    stack.stop("worker")

    def worker_down() -> bool:
        answer = requests.get(f"{base}/healthz", headers=PROXY, timeout=TIMEOUT)
        return answer.status_code == 503 and not answer.json()["checks"]["worker"]["ok"]

    wait_for("/healthz to report the stopped worker", worker_down, 60, stack)
    down = requests.get(f"{base}/healthz", headers=PROXY, timeout=TIMEOUT).json()
    assert down["status"] == "down"
    assert {name for name, check in down["checks"].items() if not check["ok"]} == {"worker"}
    assert requests.get(f"{base}/accounts/login/", headers=PROXY,
                        timeout=TIMEOUT).status_code == 200
    assert lead.call("GET", f"/api/v1/plans/{pk}/", 200).json()["stage"] == "adopted"

    # Structured logs: gunicorn's access log is JSON lines, one for each request above.
    access = [json.loads(line) for line in stack.log_lines("web")
              if line.startswith("{") and '"gunicorn.access"' in line]
    assert any(entry["path"] == "/api/v1/documents/verify/" and entry["status"] == 200
               for entry in access)
    worker = [json.loads(line) for line in stack.log_lines("worker") if line.startswith("{")]
    assert any(entry["logger"].startswith("celery") for entry in worker)
    print(f"\ntopology: start {ready - started:.1f} s, journey {finished - ready:.1f} s, "
          f"worker down seen after {time.monotonic() - finished:.1f} s")
