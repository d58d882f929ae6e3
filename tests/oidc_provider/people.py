"""The provider's accounts. Each signs in with PASSWORD; ``verified`` is what the provider
says in ``email_verified``. Shared by the provider process and the tests."""

PASSWORD = "provider-password"
TENANT_ID = "3f1c0e2a-6b7d-4c58-9a21-000000000013"
CLIENT_ID = "plangov-test"
CLIENT_SECRET = "plangov-test-secret"

PEOPLE = {
    # username at the provider: (email, email_verified)
    "hwhitfield": ("hannah.whitfield@york.example.org", True),
    "unverified": ("sam.unverified@york.example.org", False),
    "stranger": ("nobody@elsewhere.example.org", True),
    "closed": ("chris.closed@york.example.org", True),
}
