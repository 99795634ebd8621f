"""netlify.toml's response headers: a strict Content-Security-Policy and the other security headers."""

from __future__ import annotations

import html
import re
import tomllib

import pytest

from site_builder.headers import (ADMIN_CSP, NETLIFY_TOML, SITE_CSP, csp_rules, headers_file, headers_for,
                                  load_header_rules, load_headers_file)

with open(NETLIFY_TOML, "rb") as _f:
    RULES = {rule["for"]: rule["values"] for rule in tomllib.load(_f).get("headers", [])}


def csp_directives(policy: str = SITE_CSP) -> dict[str, list[str]]:
    """A Content-Security-Policy (the site's, by default) as {directive: [sources]}."""
    directives = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, *sources = part.split()
        assert name not in directives, f"directive {name} appears twice"
        directives[name] = sources
    return directives


def test_rules_are_for_every_path_and_for_assets():
    assert list(RULES) == ["/*", "/assets/*", "/admin/config.yml"]


def test_netlify_toml_has_no_redirect_rules():
    # Redirects live in content/redirects.yaml (checked by the builder, written to _redirects,
    # applied by the test server); a catch-all here would be redundant: Netlify serves /404.html.
    with open(NETLIFY_TOML, "rb") as f:
        assert "redirects" not in tomllib.load(f)


@pytest.mark.parametrize("directive, sources", [
    ("default-src", ["'self'"]),
    ("script-src", ["'self'"]),  # no eval of any kind: search needs no WebAssembly
    ("style-src", ["'self'"]),
    ("img-src", ["'self'", "data:"]),
    ("connect-src", ["'self'"]),
    ("object-src", ["'none'"]),
    ("base-uri", ["'self'"]),
    ("form-action", ["'self'"]),
    ("frame-ancestors", ["'none'"]),
    ("upgrade-insecure-requests", []),
])
def test_content_security_policy_directive(directive, sources):
    assert csp_directives().get(directive) == sources


def test_content_security_policy_has_no_inline_code_and_no_other_origin():
    directives = csp_directives()
    assert set(directives) == {"default-src", "script-src", "style-src", "img-src", "connect-src", "object-src",
                               "base-uri", "form-action", "frame-ancestors", "upgrade-insecure-requests"}
    sources = [s for values in directives.values() for s in values]
    for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'strict-dynamic'", "*", "http:", "https:"):
        assert unsafe not in sources
    assert [s for s in sources if re.match(r"(https?:|//|\*\.)|[\w-]+\.[\w.-]+", s)] == []
    assert not any(s.startswith(("'nonce-", "'sha")) for s in sources)


def test_strict_transport_security_a_year_with_subdomains():
    assert RULES["/*"]["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_sniffing_no_framing_and_referrer_policy():
    assert RULES["/*"]["X-Content-Type-Options"] == "nosniff"
    assert RULES["/*"]["X-Frame-Options"] == "DENY"  # where no policy's frame-ancestors reaches
    assert RULES["/*"]["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_permissions_policy_denies_powerful_features_and_cohort_tracking():
    features = dict(p.strip().split("=", 1) for p in RULES["/*"]["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "interest-cohort", "browsing-topics", "payment", "usb"):
        assert features.get(feature) == "()", feature
    assert set(features.values()) == {"()"}


def test_pages_revalidate_and_fingerprinted_assets_are_cached_for_a_year():
    rules = load_header_rules()
    for page in ("/", "/plans/", "/plans/2021-22/", "/404.html", "/sitemap.xml"):
        assert headers_for(page, rules)["Cache-Control"] == "public, max-age=0, must-revalidate", page
    assert headers_for("/assets/site.a5d74f21dd.css", rules)["Cache-Control"] == "public, max-age=31536000, immutable"
    assert RULES["/assets/*"] == {"Cache-Control": "public, max-age=31536000, immutable"}


def test_no_header_is_set_by_two_rules_for_one_path():
    # Both would reach the browser, joined into one contradictory value (max-age=0 ... max-age=31536000).
    names = [name.lower() for values in RULES.values() for name in values]
    assert sorted(set(names)) == sorted(names)


def test_every_path_gets_the_security_headers():
    rules = load_header_rules()
    for path in ("/", "/plans/2021-22/", "/assets/site.css", "/no/such/page"):
        headers = headers_for(path, rules)
        assert headers["Content-Security-Policy"] == SITE_CSP, path
        for name in ("Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
                     "Permissions-Policy"):
            assert headers[name] == RULES["/*"][name], (path, name)


def test_the_web_editor_alone_has_its_own_narrower_policy():
    rules = load_header_rules()
    for path in ("/admin/", "/admin/config.yml", "/ADMIN/index.html"):
        assert headers_for(path, rules)["Content-Security-Policy"] == ADMIN_CSP, path
    for path in ("/administration/", "/plans/admin/", "/adminx"):
        assert headers_for(path, rules)["Content-Security-Policy"] == SITE_CSP, path
    editor = csp_directives(ADMIN_CSP)
    assert editor["script-src"] == ["'self'", "'unsafe-eval'"] and editor["style-src"] == ["'self'", "'unsafe-inline'"]
    assert editor["frame-ancestors"] == ["'none'"] and editor["object-src"] == ["'none'"]
    assert "unsafe-inline" not in " ".join(editor["script-src"])


@pytest.mark.content
def test_netlify_gets_each_paths_policy_from_the_built_headers_file(built_site):
    """_headers names every top-level path of the site, so Netlify sends what the preview and the tests send."""
    files = [p.relative_to(built_site).as_posix() for p in built_site.rglob("*") if p.is_file()]
    text = (built_site / "_headers").read_text()
    assert text.encode() == headers_file(f for f in files if not f.startswith("search-index/"))
    netlify = [rule for rule in load_header_rules() if rule not in csp_rules()] + load_headers_file(text)
    for name in files:
        if name.startswith(("_", ".")):
            continue
        path = "/" + name.removesuffix("index.html")
        assert headers_for(path, netlify) == headers_for(path, load_header_rules()), path


@pytest.mark.content
def test_the_not_found_page_carries_the_sites_policy_itself(built_site):
    """Netlify serves 404.html at any address the site lacks, also outside the paths _headers names: the page
    sets the site's policy in a <meta>, every directive but frame-ancestors, which a <meta> may not set."""
    head = (built_site / "404.html").read_text(encoding="utf-8").split("</head>")[0]
    found = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', head)
    assert len(found) == 1, head
    policy = csp_directives(html.unescape(found[0]))
    assert policy == {k: v for k, v in csp_directives(SITE_CSP).items() if k != "frame-ancestors"}
    assert head.index("Content-Security-Policy") < head.index("<link"), "the policy comes before what it governs"
    stray = [p for p in built_site.rglob("*.html") if p.name != "404.html" and "http-equiv" in p.read_text()]
    assert not stray, stray
