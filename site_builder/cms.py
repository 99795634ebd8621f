"""The web editor at /admin/: Decap CMS, its configuration made from the model, served from the site.

Nothing here is written by hand for a field: each form field, its widget, whether it is required,
its pattern and its help come from the model (the same source as the JSON Schemas and the content
guide), and the keys' order from fmt.py, whose form the editor's serializer writes.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import json
from pathlib import Path

from .convert import field_types, kind_of, yaml_fields, yaml_key
from .fmt import shapes, shapes_json
from .model import REGISTRIES, PageMeta, Plan, SiteConfig
from .urls import FIXED

DECAP_VERSION = "3.16.3"  # package.json pins the same; tests/test_cms.py checks the vendored copy against it
BUNDLE = f"decap-cms-{DECAP_VERSION}.js"
ADMIN = FIXED["admin"].strip("/")  # the web editor's folder in the output, and in templates/
SCRIPTS = ("scp-yaml.js", "cms.js")  # ours, in templates/admin/, after the generated model.js

# Labels where a key alone would mislead: the plan's own initiative list is rarely used, and an
# initiative added there lands outside every priority.
LABELS = {
    ("Plan", "initiatives"): "Rows of a combined table (rarely used: only plans that print one table)",
    ("Priority", "initiatives"): "Initiatives",
}


def label(cls_name: str, key: str) -> str:
    """The form label of a field."""
    return LABELS.get((cls_name, key)) or key.replace("_", " ").capitalize().replace("Scp ", "SCP ").replace(
        "Pfcc", "PFCC").replace("Url", "Address")


def fields_of(cls) -> list[dict]:
    """The form fields of a model class, in the order fmt writes its keys."""
    hints = field_types(cls)
    order = shapes(cls)[cls.__name__]["keys"]
    by_key = {yaml_key(fl): fl for fl in yaml_fields(cls)}
    out = []
    for key in order:
        fl = by_key[key]
        field = {"label": label(cls.__name__, key), "name": key, **kind_of(hints[fl.name]).widget()}
        field["required"] = fl.default is dataclasses.MISSING and fl.default_factory is dataclasses.MISSING
        hint = fl.metadata.get("doc", "")
        if hint:
            field["hint"] = hint
        if field["widget"] == "boolean":
            field["required"] = False
        out.append(field)
    return out


def collections() -> list[dict]:
    """The editor's collections: plans, the registries, the site's settings and pages."""
    plan_fields = fields_of(Plan)
    return [
        {"name": "plans", "label": "Plans", "label_singular": "Plan", "folder": "content/plans",
         "extension": "yaml", "format": "scp-Plan", "identifier_field": "period", "slug": "{{period}}",
         "summary": "{{title}}", "create": True, "delete": False, "sortable_fields": ["period"],
         "preview_path": "plans/{{slug}}/", "fields": plan_fields},
        {"name": "registries", "label": "Agencies, topics and programmes", "delete": False, "files": [
            {"name": r.field, "label": r.field.capitalize(), "file": f"content/{r.file}", "format": f"scp-{r.cls.__name__}",
             "preview_path": f"{r.field}/", "fields": fields_of(r.cls)}
            for r in REGISTRIES.values()]},
        {"name": "settings", "label": "Site settings", "delete": False, "files": [
            {"name": "site", "label": "Site settings (name, contacts, help numbers, last updated)",
             "file": "content/site.yaml", "format": "scp-SiteConfig", "preview_path": "", "fields": fields_of(SiteConfig)}]},
        {"name": "pages", "label": "Pages", "label_singular": "Page", "folder": "content/pages", "extension": "md",
         "format": "scp-page", "slug": "{{slug}}", "create": True, "delete": False, "summary": "{{title}}",
         "preview_path": "{{slug}}/",
         "fields": fields_of(PageMeta) + [{"label": "Text", "name": "body", "widget": "scp-markdown",
                                          "hint": "The page's text (Markdown; headings start at ##)."}]},
    ]


def cms_config(base_url: str) -> dict:
    """The whole Decap configuration."""
    return {
        # Production: Netlify Identity and Git Gateway (docs/web-editor.md has the GitHub alternative).
        "backend": {"name": "git-gateway", "branch": "main", "squash_merges": True,
                    "commit_messages": {"create": "Web editor: create {{collection}} “{{slug}}”",
                                        "update": "Web editor: update {{collection}} “{{slug}}”",
                                        "delete": "Web editor: delete {{collection}} “{{slug}}”",
                                        "uploadMedia": "Web editor: upload “{{path}}”",
                                        "deleteMedia": "Web editor: delete “{{path}}”"}},
        "local_backend": True,  # `npx decap-server` on this computer: used only when /admin/ is opened on localhost
        "publish_mode": "editorial_workflow",
        "site_url": base_url,
        "display_url": base_url,
        "show_preview_links": True,
        "media_folder": "templates/assets/uploads",  # Decap needs one; no field takes files
        "public_folder": "/assets/uploads",
        "editor": {"preview": True},
        "collections": collections(),
    }


# Memoised: a function of the model's code and the address alone (each new builder, as tests make, skips 20 ms).
@functools.lru_cache(maxsize=4)
def config_text(base_url: str) -> str:
    """config.yml, as the build writes it."""
    head = "# Made by site-builder from site_builder/model.py (site_builder/cms.py): do not edit.\n"
    # Written as JSON, which is YAML too (Decap reads it as YAML): ten times faster to write than with
    # PyYAML's emitter, which took a tenth of a clean build of the real site.
    return head + json.dumps(cms_config(base_url), ensure_ascii=False, indent=1) + "\n"


@functools.lru_cache(maxsize=8)  # the 5 MB bundle's hash, once per process
def integrity(data: bytes) -> str:
    """A Subresource Integrity value: SHA-256, which processors hash in hardware (the 5 MB bundle in 4 ms,
    SHA-384 in 7: every clean build hashes it)."""
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def model_script(stylesheet: str) -> bytes:
    """model.js: the shapes the serializer writes by, and the site's stylesheet for the preview pane."""
    return (f"window.SCP_SHAPES = {shapes_json()};\n"
            f"window.SCP_STYLESHEET = {json.dumps(stylesheet)};\n").encode()


INDEX = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>Web editor · {name}</title>
</head>
<body>
{scripts}
</body>
</html>
"""


def read_admin(templates_dir: Path) -> dict[str, bytes]:
    """Our scripts and the pinned bundle, from templates/admin/ (nothing when the templates have no editor)."""
    folder = templates_dir / ADMIN
    if not folder.is_dir():
        return {}
    return {**{name: (folder / name).read_bytes() for name in SCRIPTS}, BUNDLE: (folder / "vendor" / BUNDLE).read_bytes()}


def admin_files(raw: dict[str, bytes], base_url: str, site_name: str, stylesheet: str) -> dict[str, bytes]:
    """Every file of /admin/: the page, the configuration, the model, our scripts and the pinned bundle."""
    files = {**raw, "config.yml": config_text(base_url).encode(), "model.js": model_script(stylesheet)}
    # Ours first (cms.js asks Decap to wait for it), then the bundle, each checked by its integrity.
    order = ["model.js", *SCRIPTS, BUNDLE]
    scripts = "\n".join(f'<script src="/{ADMIN}/{name}" integrity="{integrity(files[name])}"></script>'
                        for name in order)
    from .extras import escape
    files["index.html"] = INDEX.format(name=escape(site_name), scripts=scripts).encode()
    return {f"{ADMIN}/{name}": data for name, data in sorted(files.items())}
