"""API tokens that expire, can be listed and revoked by their owner, and die when their
owner's password changes (issue 13, "Doors").

A token is ``pg_`` and 43 random URL-safe characters, shown once when made; only its SHA-256
is stored (``ApiToken.digest``), with its first characters (``prefix``) to tell tokens
apart in a list. Clients send ``Authorization: Token <token>``. DRF's old never-expiring
``authtoken`` tokens are no longer accepted (the migration drops them): clients ask for a
new token at ``POST /api/v1/auth/token/`` or on the "Your API tokens" page."""
