"""Every page form of plangov applies the text policy: a guard, so a form added later cannot
forget it (derive from plangov.forms.Form or ModelForm, or mix in TextPolicyMixin)."""

from __future__ import annotations

import importlib
import pkgutil

from django import forms

from plangov.forms import TextPolicyMixin

APPS = ("plangov", "governance", "documents", "workflows")


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


def test_every_form_of_ours_applies_the_text_policy():
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            skip = (".migrations", ".management", ".settings", ".wsgi", ".celery")
            if not any(part in module.name for part in skip):
                importlib.import_module(module.name)
    ours = [cls for cls in _all_subclasses(forms.BaseForm)
            if cls.__module__.split(".")[0] in APPS and cls is not TextPolicyMixin]
    assert ours, "no forms found"
    forgotten = sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in ours
                       if not issubclass(cls, TextPolicyMixin))
    assert forgotten == []
