"""A real OpenID provider for the single sign-on tests: django-oidc-provider in its own
process on loopback, with its own SQLite database (``serve.py``)."""
