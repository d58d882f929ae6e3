"""Single sign-on in a real browser (issue 13): Playwright driving Debian's Chromium from
plangov's sign-in page to the council's OpenID provider and back. The provider is real
(django-oidc-provider in its own process on loopback, tests/oidc_provider, started by
tests/governance/sso_helpers.py), as in tests/governance/test_sso.py; nothing is mocked.

plangov's pages on the way (the sign-in page with its "Sign in with your council account"
button, the page signed in, the refusal page) are checked with axe-core and laid out 390 px
wide (tests/browser/a11y.py), and any Content-Security-Policy violation on them fails the test
(the ``browser`` fixture). The provider's own pages are another origin, without plangov's
policy, and are not plangov's to check."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from governance.models import SignInIdentity
from tests.browser.a11y import checked
from tests.factories import MembershipFactory, UserFactory
from tests.governance.sso_helpers import Provider, run_provider
from tests.oidc_provider.people import PASSWORD, PEOPLE

from .test_journey import browser  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.once, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(live_server: Any, tmp_path: Any) -> Iterator[Provider]:
    yield from run_provider(f"{live_server.url}/oidc/callback/", tmp_path)


@pytest.fixture
def sso(provider: Provider, settings: Any) -> Provider:
    for name, value in provider.plangov_settings().items():
        setattr(settings, name, value)
    return provider


def through_the_provider(browser: Any, live_server: Any, provider: Provider,  # noqa: F811
                         account: str) -> Any:
    """plangov's sign-in page → its SSO button → the provider's sign-in form → consent (when
    the provider asks) → back at plangov. Answers the page, wherever it ended."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    checked(page)
    button = page.get_by_role("button", name="Sign in with your council account")
    assert button.is_visible()
    button.click()
    page.wait_for_load_state()
    # The provider's page: another origin (its own port), its own form.
    assert page.url.startswith(provider.url), page.url
    assert "Test provider sign-in" in page.content()
    page.locator("input[name=username]").fill(account)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[type=submit][value='Sign in']").click()
    page.wait_for_load_state()
    if page.url.startswith(provider.url) and page.locator("input[name=allow]").count():
        assert "Request for Permission" in page.content()
        page.locator("input[name=allow]").click()
        page.wait_for_load_state()
    assert page.url.startswith(live_server.url), page.url
    return page


def test_a_council_account_signs_in_as_the_imported_person(browser, live_server, sso):  # noqa: F811
    email, _ = PEOPLE["hwhitfield"]
    person = MembershipFactory(user=UserFactory(
        username="lead", email=email, first_name="Hannah", last_name="Whitfield",
    )).user
    users_before = get_user_model().objects.count()

    page = through_the_provider(browser, live_server, sso, "hwhitfield")

    checked(page)
    assert "/oidc/" not in page.url, page.url  # past the callback, on plangov's own page
    signed_in = page.locator(".pg-signed-in")
    assert signed_in.is_visible()
    assert "Hannah Whitfield" in signed_in.inner_text()
    assert page.get_by_role("button", name="Sign out").is_visible()
    identity = SignInIdentity.objects.get()
    assert identity.user == person and identity.issuer == sso.issuer
    assert get_user_model().objects.count() == users_before
    # The session works on another page too: the tasks page answers, not the sign-in page.
    page.goto(f"{live_server.url}/tasks/")
    assert "/accounts/login/" not in page.url
    assert "Hannah Whitfield" in page.locator(".pg-signed-in").inner_text()


def test_a_council_account_nobody_matches_gets_the_refusal_page(browser, live_server, sso):  # noqa: F811
    MembershipFactory(user=UserFactory(username="lead", email=PEOPLE["hwhitfield"][0]))
    users_before = get_user_model().objects.count()
    statuses: list[int] = []

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.on("response", lambda response: statuses.append(response.status)
               if "/oidc/callback/" in response.url else None)
    browser_ = _OneContext(browser, context)
    page = through_the_provider(browser_, live_server, sso, "stranger")
    page.wait_for_load_state("load")

    assert "/oidc/callback/" in page.url, page.url
    assert statuses == [403]
    checked(page)
    heading = page.get_by_role("heading", level=1)
    assert "You cannot sign in" in heading.inner_text()
    assert page.get_by_text(
        "Your council account is not set up in plangov; ask your plan coordinator."
    ).is_visible()
    assert page.locator(".pg-signed-in").count() == 0
    assert get_user_model().objects.count() == users_before
    assert not SignInIdentity.objects.exists()


class _OneContext:
    """The browser, handing out one context already made (the test listens to it)."""

    def __init__(self, browser: Any, context: Any) -> None:  # noqa: F811
        self._context = context

    def new_context(self, **_: Any) -> Any:
        return self._context
