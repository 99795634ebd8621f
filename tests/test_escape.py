"""Templates' {{ }} outputs are escaped by render.escape_text: markupsafe's escaping, as a plain str."""

from __future__ import annotations

import pytest
from markupsafe import Markup, escape

from conftest import TEMPLATES
from site_builder.render import Renderer, escape_text


class Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


class Text(str):
    """A str of another type: escaped as markupsafe escapes it."""


@pytest.mark.parametrize("value", ["", "plain", "<script>alert('x') & \"y\"</script>", "é—“quotes”", "\0\n",
                                   Markup("<i>kept</i>"), Text("<a & b>"), Html(), 42, 3.5, None, ("<", 1)])
def test_the_same_characters_as_markupsafe(value, monkeypatch):
    from site_builder import render

    assert render._escape_str is not None  # this markupsafe has it: the quick way is taken
    assert escape_text(value) == str(escape(value))
    monkeypatch.setattr(render, "_escape_str", None)  # a markupsafe without it
    assert escape_text(value) == str(escape(value))


def test_every_template_escapes_its_outputs_with_it():
    renderer = Renderer(TEMPLATES)
    renderer.compile_all()
    names = renderer.env.list_templates(filter_func=lambda name: name.endswith(".html"))
    assert names and all(renderer.env.get_template(name).root_render_func.__globals__["escape"] is escape_text
                         for name in names)
    template = renderer.env.from_string("{{ a }}|{{ b }}|{% set c %}{{ a }}{% endset %}{{ c }}")
    assert template.render(a="<&>", b=Markup("<i>")) == "&lt;&amp;&gt;|<i>|&lt;&amp;&gt;"


def test_templates_call_functions_as_jinja_does(tmp_path):
    """The site's context calls a plain function, method or macro directly (templating._Context): in loops and
    blocks too (where Jinja adds arguments of its own), a keyword named self passed on; a function that
    takes the context is given it, and a StopIteration gives an undefined value, as Jinja's does."""
    import jinja2

    from site_builder.templating import _Context, environment

    class Counter:
        def count(self, n):
            return f"m{n}"

    def stop():
        raise StopIteration

    (tmp_path / "t.html").write_text("{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}"
                                     "{% for i in [1] %}{{ plain(i, self=2) }} {{ ctx() }} {{ meth(i) }} {{ twice(i) }}{% endfor %}"
                                     "|{% block b %}{{ plain(3, self=4) }} {{ meth(5) }} {{ twice(6) }}{% endblock %}"
                                     "|{{ stop() is undefined }}|{{ range(2) | list | length }}")
    env = environment(tmp_path)
    assert env.context_class is _Context
    env.globals.update(plain=lambda x, self: f"{x}+{self}", ctx=jinja2.pass_context(lambda c: c["v"]),
                       meth=Counter().count, stop=stop)
    assert env.get_template("t.html").render(v="V") == "1+2 V m1 11|3+4 m5 66|True|2"
