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
                                   Markup("<i>kept</i>"), Text("<a & b>"), Html(), 42, -7, 10**30, True, 3.5, None,
                                   ("<", 1)])
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


def test_macros_give_what_jinjas_own_give():
    """Every template's macros are templating.Macro, whose HTML is Markup made by str's constructor: the same
    text and type as Jinja's Macro gives, for a macro called directly, through a caller, and imported."""
    import jinja2

    renderer = Renderer(TEMPLATES)
    renderer.compile_all()
    names = renderer.env.list_templates(filter_func=lambda name: name.endswith(".html"))
    from site_builder.templating import Macro
    assert all(renderer.env.get_template(name).root_render_func.__globals__["Macro"] is Macro for name in names)
    source = ('{% macro m(x) %}<b>{{ x }}</b>{% endmacro %}{% macro c() %}[{{ caller() }}]{% endmacro %}'
              '{{ m("<&>") }}|{% call c() %}<i>{{ "&" }}</i>{% endcall %}|{{ m(m("'"'"'")) }}')
    ours = renderer.env.from_string(source)
    module = ours.module
    theirs = jinja2.Environment(autoescape=True).from_string(source)
    assert ours.render() == theirs.render() == '<b>&lt;&amp;&gt;</b>|[<i>&amp;</i>]|<b><b>&#39;</b></b>'
    assert type(module.m("<")) is Markup and module.m("<") == theirs.module.m("<") == Markup("<b>&lt;</b>")
    plain = jinja2.Environment(autoescape=False)
    plain.template_class = type(ours)
    assert type(plain.from_string(source).module.m("<")) is str


def test_no_template_writes_an_inline_if_without_an_else():
    """'{{ ", " if not loop.last }}' gives Jinja's Undefined where false (whatever the environment's own), which
    escaping then probes for __html__ through a raised AttributeError: 1 in 20 of rendering a page of topics.
    Every inline if in the templates says what it gives otherwise ('else ""')."""
    import jinja2.nodes

    renderer = Renderer(TEMPLATES)
    names = renderer.env.list_templates(filter_func=lambda name: name.endswith(".html"))
    found = [(name, node.lineno) for name in names
             for node in renderer.env.parse(renderer.env.loader.get_source(renderer.env, name)[0]).find_all(
                 jinja2.nodes.CondExpr) if node.expr2 is None]
    assert names and found == []


def test_templates_call_functions_as_jinja_does(tmp_path):
    """The site's context calls a plain function, method, remembering function or macro directly
    (templating._Context): in loops and blocks too (where Jinja adds arguments of its own), a keyword named
    self passed on; a function that takes the context is given it, and a StopIteration gives an undefined
    value, as Jinja's does."""
    import functools

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
                                     "|{{ stop() is undefined }}|{{ range(2) | list | length }}"
                                     "|{% for i in [7] %}{{ kept(i) }}{{ kept_ctx() }}{% endfor %}")
    env = environment(tmp_path)
    assert env.context_class is _Context
    env.globals.update(plain=lambda x, self: f"{x}+{self}", ctx=jinja2.pass_context(lambda c: c["v"]),
                       meth=Counter().count, stop=stop, kept=functools.lru_cache(lambda x: f"k{x}"),
                       kept_ctx=functools.lru_cache(jinja2.pass_context(lambda c: c["v"])))
    assert env.get_template("t.html").render(v="V") == "1+2 V m1 11|3+4 m5 66|True|2|k7V"


def test_templates_call_builtins_and_namespace_directly_as_jinja_would(tmp_path, monkeypatch):
    """A str's method and other built-ins, and namespace(), are called by the site's context itself (in loops
    and blocks too), giving what Jinja's calls give; a built-in's StopIteration gives an undefined value."""
    import jinja2

    from site_builder.templating import environment

    source = ('{% set ns = namespace(n=0, seen="") %}{% for w in ["ab", "b"] %}{% set ns.n = ns.n + 1 %}'
              '{% set ns.seen = ns.seen ~ w.upper() ~ w.startswith("a") ~ w.removeprefix("a") %}{% endfor %}'
              '{{ ns.n }} {{ ns.seen }}|{% block b %}{{ "x-y".split("-") | join }}{{ next(empty) is undefined }}'
              '{% endblock %}')
    (tmp_path / "t.html").write_text(source)
    env = environment(tmp_path)
    env.globals.update(next=next, empty=iter(()))
    theirs = jinja2.Environment(undefined=jinja2.StrictUndefined)
    theirs.globals.update(next=next, empty=iter(()))
    slow = []
    monkeypatch.setattr(jinja2.runtime.Context, "call", lambda *args, **kwargs: slow.append(args[1]))
    assert env.get_template("t.html").render() == "2 ABTruebBFalseb|xyTrue" and slow == []
    monkeypatch.undo()
    assert theirs.from_string(source).render() == "2 ABTruebBFalseb|xyTrue"


def test_templates_read_attributes_as_jinja_does(tmp_path):
    """Each `x.name` is read by Python's getattr first (templating._CodeGenerator): the same values as Jinja's
    own code gives, in every place an expression stands, reading x once; an item of that name where there is
    no such attribute; and the same error where there is neither."""
    import jinja2

    from site_builder.templating import environment

    class Thing:
        reads = 0

        def __init__(self, name, inner=None):
            self.name, self.inner = name, inner

        @property
        def counted(self):
            Thing.reads += 1
            return Thing.reads

        def made(self):
            Thing.reads += 1
            return self

    source = ("{% macro m(a, b) %}{{ a.name }}-{{ b.name }}{% endmacro %}"
              "{{ t.name }} {{ t.inner.inner.name }} {{ t.inner.name ~ d.key ~ d.thing.name }} {{ m(t.inner, t) }}"
              "{% for x in [t, t.inner] if x.name != 'n' %}[{{ x.name }}{{ loop.index }}]{% endfor %}"
              "{% set s %}{{ t.made().inner.name }}{% endset %}{{ s }} {{ t.counted }} {{ [t.name, t.inner.name] }}"
              "{{ t.name if t.inner.name else 'no' }} {{ (t.name ~ t.inner.name) | upper }} {{ d.missing is defined }}"
              "{% block b %}{{ t.inner.name }}{% endblock %}")
    (tmp_path / "t.html").write_text(source)
    values = dict(t=Thing("a", Thing("b", Thing("c"))), d={"key": "K", "thing": Thing("i")})
    assert "getattr((t_go := " in environment(tmp_path).compile(source, raw=True)  # the quick reading, in use
    ours = environment(tmp_path).get_template("t.html").render(**values)
    assert Thing.reads == 2  # made() and counted, each once
    theirs = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), autoescape=True,
                                trim_blocks=True, lstrip_blocks=True).get_template("t.html").render(**values)
    assert ours == theirs.replace(" 4 ", " 2 ")  # the same output (counted: read again by Jinja's code)
    assert ours.startswith("a c bKi b-a[a1][b2]b 2 ")
    for missing in ("{{ t.nothing }}", "{{ t.inner.nothing.x }}", "{{ d.nothing }}"):
        (tmp_path / "m.html").write_text(missing)
        with pytest.raises(jinja2.UndefinedError) as ours_:
            environment(tmp_path).get_template("m.html").render(**values)
        with pytest.raises(jinja2.UndefinedError) as theirs_:
            jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), undefined=jinja2.StrictUndefined
                               ).get_template("m.html").render(**values)
        assert str(ours_.value) == str(theirs_.value)
