"""Field types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from peewee import TextField


class JSONText(TextField):
    """JSON kept as text: identical on both stores, no JSON1/JSONB differences to test."""

    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)
