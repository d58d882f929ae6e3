"""Reviews of an adopted plan: the annual review and the lighter six-month progress review."""
