"""The plan content format as a JSON Schema document (docs/plan-content.schema.json), made
from the OpenAPI schema's ``PlanContent`` component, which the content serializers
(documents.content) generate. A test checks the file is up to date; regenerate it with

    .venv/bin/python manage.py shell -v 0 -c "from documents.content_io.schema import render; \
        print(render(), end='')" > docs/plan-content.schema.json
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_ID = "https://plangov.invalid/schemas/plan-content.schema.json"


def plan_content_json_schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    defs: dict[str, Any] = {}

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str):
                    name = value.rsplit("/", 1)[-1]
                    collect(name)
                    out[key] = f"#/$defs/{name}"
                elif key == "readOnly":
                    continue
                else:
                    out[key] = rewrite(value)
            if out.get("type") == "object" and "properties" in out:
                out["additionalProperties"] = False  # unknown keys are refused
            return out
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    def collect(name: str) -> None:
        if name not in defs:
            defs[name] = {}
            defs[name] = rewrite(components[name])

    root = rewrite(components["PlanContent"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "plangov plan content",
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def render() -> str:
    return json.dumps(plan_content_json_schema(), indent=2, ensure_ascii=False) + "\n"

