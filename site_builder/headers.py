"""The published site's response headers, as netlify.toml gives them: one reading for the preview and the tests."""

from __future__ import annotations

import re
from pathlib import Path

NETLIFY_TOML = Path(__file__).resolve().parent.parent / "netlify.toml"

# What Netlify sends for a file that no rule gives a Cache-Control.
NETLIFY_DEFAULT_CACHE_CONTROL = "public, max-age=0, must-revalidate"

HeaderRule = tuple[re.Pattern, dict[str, str]]


# The Content-Security-Policy is not in netlify.toml: Netlify sends every matching rule's value, joined,
# and a browser enforces each policy, so a "/*" policy could never be loosened for the web editor. The
# build writes it into _headers instead, for each top-level path of the site but /admin/ (csp_rules).
SITE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
            "upgrade-insecure-requests")
# The same for a page's <meta>, which may not say frame-ancestors (the browser ignores it there, and says so).
PAGE_CSP = "; ".join(d for d in SITE_CSP.split("; ") if not d.startswith("frame-ancestors"))
# /admin/ alone: Decap CMS compiles its configuration's schema with eval (ajv) and styles itself with
# inline <style> elements (emotion); it talks to Git Gateway and Netlify Identity on this site, to GitHub's
# API with the GitHub backend, and to a decap-server on this computer (docs/web-editor.md).
ADMIN_CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data: blob: https://avatars.githubusercontent.com; "
             "connect-src 'self' https://api.github.com http://localhost:* http://127.0.0.1:*; "
             "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
ADMIN = "admin"
HEADERS_FILE = "_headers"  # Netlify reads it from the published folder and does not serve it


def csp_rules() -> list[HeaderRule]:
    """The policies as rules for the preview and the tests: the editor's on /admin/, the site's elsewhere."""
    return [(re.compile(rf"(?!/{ADMIN}(?:/|$)).*", re.IGNORECASE), {"Content-Security-Policy": SITE_CSP}),
            (path_pattern(f"/{ADMIN}/*"), {"Content-Security-Policy": ADMIN_CSP})]


def headers_file(files) -> bytes:
    """_headers: the site's policy on "/" and on each top-level file and folder of the site, the editor's on /admin/."""
    tops: dict[str, bool] = {"search-index": True}  # the search index, written after the other files
    for name in files:
        top, _, rest = name.partition("/")
        if not top.startswith((".", "_")):
            tops[top] = tops.get(top, False) or bool(rest)
    lines = ["# Made by site-builder (site_builder/headers.py): the Content-Security-Policy of each path.", "/",
             f"  Content-Security-Policy: {SITE_CSP}"]
    for top, folder in sorted(tops.items()):
        lines += [f"/{top}/*" if folder else f"/{top}",
                  f"  Content-Security-Policy: {ADMIN_CSP if top == ADMIN else SITE_CSP}"]
    return ("\n".join(lines) + "\n").encode()


def load_headers_file(text: str) -> list[HeaderRule]:
    """Read a _headers file's rules, as Netlify does: a path, then its indented `Name: value` lines."""
    rules: list[HeaderRule] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((path_pattern(line.strip()), {}))
        else:
            name, _, value = line.strip().partition(":")
            rules[-1][1][name.strip()] = value.strip()
    return rules


def load_header_rules(netlify_toml: Path = NETLIFY_TOML) -> list[HeaderRule]:
    """netlify.toml's [[headers]] rules as (path pattern, header values), in file order, then the policies."""
    import tomllib  # the preview's and the tests' alone: a build has no use for it (2 ms to import)

    with open(netlify_toml, "rb") as f:
        config = tomllib.load(f)
    return [(path_pattern(rule["for"]), dict(rule.get("values", {}))) for rule in config.get("headers", [])] \
        + csp_rules()


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
