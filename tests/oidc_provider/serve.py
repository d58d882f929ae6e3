"""Run the test OpenID provider: ``python -m tests.oidc_provider.serve REDIRECT_URI``.

Migrates its own SQLite database (path in OIDC_TEST_PROVIDER_DB), makes an RSA signing key,
the relying party (plangov, with REDIRECT_URI) and the accounts in people.py, then serves on
a free loopback port, printing ``PORT <n>`` once it is ready. Stops on SIGTERM.
"""

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def _setup(redirect_uri: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType, RSAKey

    from tests.oidc_provider.people import CLIENT_ID, CLIENT_SECRET, PASSWORD, PEOPLE

    call_command("migrate", verbosity=0, interactive=False)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    RSAKey.objects.create(key=key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode())
    client = Client.objects.create(
        name="plangov", client_type="confidential", client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET, jwt_alg="RS256", require_consent=True,
        reuse_consent=False, _redirect_uris=redirect_uri,
    )
    client.response_types.add(ResponseType.objects.get(value="code"))
    for username, (email, _) in PEOPLE.items():
        User.objects.create_user(username=username, email=email, password=PASSWORD)


def main() -> None:
    redirect_uri = sys.argv[1]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    _setup(redirect_uri)
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    server = make_server("127.0.0.1", 0, get_wsgi_application(),
                         server_class=_Server, handler_class=_QuietHandler)
    settings.SITE_URL = f"http://127.0.0.1:{server.server_port}"
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
