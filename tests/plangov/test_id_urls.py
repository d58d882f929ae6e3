"""plangov.pages.IdUrls: a route's URL for many ids, the same as reverse() gives."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plangov.pages import IdUrls
from workflows.views import ROW_LINKS


@pytest.mark.parametrize("name", ROW_LINKS)
def test_it_gives_what_reverse_gives(name: str) -> None:
    urls = IdUrls(name)
    for pk in (1, 7, 10, 2147480001, 9_000_000_000):
        assert urls(pk) == reverse(name, args=[pk])


def test_it_refuses_a_route_without_one_integer_id() -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011 - Django's NoReverseMatch or ours
        IdUrls("workflows:tasks")
