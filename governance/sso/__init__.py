"""Single sign-on by OpenID Connect: a council's own identity provider (Microsoft Entra ID
for most) signs its staff in. An account is bound to the provider's immutable ids, matched
on first sign-in to a person the governance import recorded, never created from a token.
See docs/single-sign-on.md."""
