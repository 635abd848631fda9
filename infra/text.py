"""Vietnamese-aware text helpers: folding diacritics for search ("nguyen" finds "Nguyễn") and slugs."""

from __future__ import annotations

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII form: diacritics removed, đ/Đ to d, spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.lower().split())


def slugify(text: str, max_length: int = 48) -> str:
    return _NON_SLUG.sub("-", fold(text)).strip("-")[:max_length].strip("-")
