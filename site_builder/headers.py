"""The published site's response headers, as netlify.toml gives them: one reading for the preview and the tests."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

NETLIFY_TOML = Path(__file__).resolve().parent.parent / "netlify.toml"

# What Netlify sends for a file that no rule gives a Cache-Control.
NETLIFY_DEFAULT_CACHE_CONTROL = "public, max-age=0, must-revalidate"

HeaderRule = tuple[re.Pattern, dict[str, str]]


def load_header_rules(netlify_toml: Path = NETLIFY_TOML) -> list[HeaderRule]:
    """Read the [[headers]] rules of netlify.toml as (path pattern, header values), in file order."""
    with open(netlify_toml, "rb") as f:
        config = tomllib.load(f)
    return [(path_pattern(rule["for"]), dict(rule.get("values", {}))) for rule in config.get("headers", [])]


def path_pattern(rule_path: str) -> re.Pattern:
    """Compile a Netlify `for` path: `*` matches the rest of the path, `:name` one segment."""
    if "*" in rule_path.rstrip("*"):
        raise ValueError(f"{rule_path!r}: Netlify allows `*` only at the end of a path")
    regex = "".join(".*" if part == "*" else "[^/]+" if part.startswith(":") else re.escape(part)
                    for part in re.split(r"(\*|:[A-Za-z_][A-Za-z0-9_]*)", rule_path))
    if rule_path.endswith("/*"):
        # "/assets/*" also matches "/assets" itself, as on Netlify.
        regex = regex[: -len(re.escape("/") + ".*")] + "(?:/.*)?"
    return re.compile(regex + "/?", re.IGNORECASE)


def headers_for(path: str, rules: list[HeaderRule]) -> dict[str, str]:
    """The headers Netlify sends for a request path: every matching rule applies.

    Where two matching rules set the same header its values are joined with ", ", the way
    such headers reach a browser, so an overlap that contradicts itself shows in the tests.
    """
    found: dict[str, tuple[str, str]] = {}
    for pattern, values in rules:
        if pattern.fullmatch(path):
            for name, value in values.items():
                value = " ".join(str(value).split())  # multi-line TOML strings become one line
                key = name.lower()
                found[key] = (found[key][0], f"{found[key][1]}, {value}") if key in found else (name, value)
    headers = dict(found.values())
    if "cache-control" not in found:
        headers["Cache-Control"] = NETLIFY_DEFAULT_CACHE_CONTROL
    return headers
