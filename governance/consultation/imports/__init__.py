"""Offline responses (CSV, XLSX): reading (``reader``), the column layout and row checks
(``rows``), and the import itself (``services``). See docs/consultation-import.md."""

from .services import (
    import_create,
    import_run,
    import_valid_rows,
    imports_due,
    may_import,
)

__all__ = ["import_create", "import_run", "import_valid_rows", "imports_due", "may_import"]
