"""The binding of a plangov account to an identity provider's immutable ids."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SignInIdentity(models.Model):
    """One identity at one provider, bound to one account at its first single sign-on.

    ``issuer`` + ``subject`` (the ID token's ``iss`` and ``sub``) name the identity for any
    OpenID provider; Microsoft Entra ID's tenant and object ids (``tid``, ``oid``) are kept
    too when the token carries them. Later sign-ins find the account through this row, so a
    changed email address or user principal name never moves an identity to someone else.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    tid = models.CharField(max_length=64, blank=True, default="")
    oid = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["issuer", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="sign_in_identity_unique_subject"
            ),
        ]
        verbose_name_plural = "sign-in identities"

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer}"
