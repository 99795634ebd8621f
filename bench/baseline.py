"""The bare Python stack, for comparison: the obvious script with the same libraries.

    python bench/baseline.py CONTENT_DIR OUT_DIR

It loads every plan with PyYAML's C loader (as the builder does), renders a page per
plan and per initiative through Jinja (autoescaped) and markdown-it, and writes them: no
validation, no incremental state, no search, open data or cross-references. bench.py and
peers.py run it beside the builder (and Hugo) so that their ratios are measured in one run.
"""

import sys
from pathlib import Path

import jinja2
import yaml
from markdown_it import MarkdownIt

try:
    from yaml import CSafeLoader as Loader  # as the builder's site_builder/yamlfile.py
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as Loader

LAYOUT = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/site.css"></head><body><header><a href="/">Safer Colchester</a>
<nav><a href="/plans/">Plans</a> <a href="/agencies/">Agencies</a></nav></header>
<main>{% block main %}{% endblock %}</main><footer>{% for n in help %}<p>{{ n.label }}: {{ n.number }}</p>{% endfor %}
</footer></body></html>"""
PLAN = """{% extends "layout" %}{% block main %}<h1>{{ plan.title }}</h1>{% for p in plan.priorities %}
<h2>{{ p.number }}. {{ p.title }}</h2>{{ md(p.summary or "") }}<ul>{% for i in p.initiatives or [] %}
<li><a href="/plans/{{ plan.period }}/">{{ i.title }}</a> {{ i.lead | join(", ") }}</li>
{% endfor %}</ul>{% endfor %}{% endblock %}"""
INITIATIVE = """{% extends "layout" %}{% block main %}<h1>{{ i.title }}</h1><dl><dt>Lead</dt>
<dd>{{ i.lead | join(", ") }}</dd><dt>Timing</dt><dd>{{ i.timing }}</dd></dl>
{% for field in ["description", "outcomes", "updates"] %}{% if i[field] %}<h2>{{ field }}</h2>{{ md(i[field]) }}{% endif %}
{% endfor %}{% endblock %}"""


def main(content: Path, out: Path) -> None:
    md = MarkdownIt("commonmark", {"html": False})
    env = jinja2.Environment(loader=jinja2.DictLoader({"layout": LAYOUT, "plan": PLAN, "initiative": INITIATIVE}),
                             autoescape=True)
    env.globals["md"] = lambda text: jinja2.utils.markupsafe.Markup(md.render(text))
    site = yaml.load((content / "site.yaml").read_text(), Loader=Loader)
    for path in sorted((content / "plans").glob("*.yaml")):
        plan = yaml.load(path.read_text(), Loader=Loader)
        folder = out / "plans" / plan["period"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(env.get_template("plan").render(
            plan=plan, title=plan["title"], help=site["help_numbers"]))
        rows = [ini for priority in plan.get("priorities", []) for ini in priority.get("initiatives") or []]
        for n, ini in enumerate(rows + plan.get("initiatives", []), 1):
            page = folder / str(n)
            page.mkdir(exist_ok=True)
            (page / "index.html").write_text(env.get_template("initiative").render(
                i=ini, title=ini["title"], help=site["help_numbers"]))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
