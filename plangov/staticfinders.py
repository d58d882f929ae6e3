"""Which apps' static files plangov collects. viewflow ships 49 MB of static files for its
own UI (fonts, JavaScript and their source maps), which plangov never serves: it uses
viewflow's workflow engine and draws its own pages. Collecting and compressing them made
``collectstatic`` take minutes; this finder leaves them out."""

from __future__ import annotations

from django.contrib.staticfiles.finders import AppDirectoriesFinder as DjangoFinder

NOT_SERVED = frozenset({"viewflow"})


class AppDirectoriesFinder(DjangoFinder):
    def __init__(self, app_names: list[str] | None = None, *args: object, **kwargs: object):
        from django.apps import apps

        names = app_names if app_names is not None else [
            config.name for config in apps.get_app_configs()]
        super().__init__([name for name in names if name not in NOT_SERVED], *args, **kwargs)
