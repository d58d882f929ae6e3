"""Plan content in and out of files: import from Word, JSON or YAML (one validation path:
``documents.content.normalise``), a preview kept until the coordinator confirms it into the
draft, and exports of any version as JSON, YAML or a Word document the import reads back.
The formats are documented in docs/content-format.md."""

from .exporting import EXPORT_FORMATS, MEDIA_TYPES, export_content, export_format
from .limits import MAX_BYTES, MAX_INFLATED, FileRefused
from .reading import preview
from .services import apply_import, import_preview, pending_import

__all__ = [
    "EXPORT_FORMATS", "MAX_BYTES", "MAX_INFLATED", "MEDIA_TYPES", "FileRefused",
    "apply_import", "export_content", "export_format", "import_preview", "pending_import",
    "preview",
]
