"""Drive the authorization code flow with ``requests``, as a browser without JavaScript
would: plangov's /oidc/authenticate/ → the provider's sign-in form → its consent form →
plangov's callback. The provider is real (tests/oidc_provider), in its own process."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests

from tests.oidc_provider.people import CLIENT_ID, CLIENT_SECRET, PASSWORD

REPO = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class Provider:
    url: str
    db_path: Path

    @property
    def issuer(self) -> str:
        return f"{self.url}/openid"

    def plangov_settings(self) -> dict[str, object]:
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
            "PLANGOV_OIDC_MATCH_CLAIM": "email",
            "PLANGOV_OIDC_MATCH_FIELD": "email",
        }


def run_provider(redirect_uri: str, workdir: Path) -> Iterator[Provider]:
    """Start the provider process; yields once it serves; stops it afterwards."""
    db_path = workdir / "provider.sqlite3"
    env = {**os.environ, "OIDC_TEST_PROVIDER_DB": str(db_path), "PYTHONPATH": str(REPO)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log_path = workdir / "provider.log"  # a file, not a pipe nobody reads that could fill up
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.oidc_provider.serve", redirect_uri],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
        )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("PORT "):
            process.kill()
            raise RuntimeError(f"The test OpenID provider did not start: {line!r} "
                               f"{log_path.read_text()[-2000:]}")
        yield Provider(url=f"http://127.0.0.1:{int(line.split()[1])}", db_path=db_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"action": values.get("action", ""), "inputs": []})
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1]["inputs"].append(values)


def submit_form(
    session: requests.Session, page: requests.Response, fields: dict[str, str]
) -> requests.Response:
    """Submit the page's one form: its hidden and filled-in values, then ``fields``."""
    parser = _Forms()
    parser.feed(page.text)
    assert len(parser.forms) == 1, f"expected one form at {page.url}: {page.text[:500]}"
    form = parser.forms[0]
    data = {
        field["name"]: field.get("value", "")
        for field in form["inputs"]
        if field.get("type", "text") not in ("submit", "button")
    }
    data.update(fields)
    return session.post(urljoin(page.url, form["action"]), data=data, timeout=30)


def sign_in(plangov_url: str, username: str) -> tuple[requests.Session, requests.Response]:
    """The whole journey for the provider's account ``username``; returns plangov's answer
    to the callback (after its redirects)."""
    session = requests.Session()
    page = session.get(f"{plangov_url}/oidc/authenticate/", timeout=30)
    assert page.status_code == 200 and "Test provider sign-in" in page.text, page.text[:500]
    page = submit_form(session, page, {"username": username, "password": PASSWORD})
    assert "Request for Permission" in page.text, page.text[:500]
    answer = submit_form(session, page, {"allow": "Authorize"})
    assert any("/oidc/callback/" in hop.url for hop in [*answer.history, answer]), answer.url
    return session, answer
