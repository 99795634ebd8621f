"""The site's Jinja environment, and every template compiled in advance.

Kept light (Jinja alone) on purpose: compiling needs no content and none of the builder's other
modules, so the build command has a forked copy compile the templates while it is still importing
them (cli.cmd_build), on a core that would otherwise wait.
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Callable

import jinja2
import jinja2.compiler
import jinja2.runtime
from jinja2.utils import Namespace
from markupsafe import Markup

# The filters the templates use, by name; render.py gives their functions. Compiling needs only the
# names (Jinja refuses a template that uses an unknown one), so the compiled code is the same.
FILTERS = ("join_words", "credit", "credits", "when", "plan_end", "keep_years", "as_at", "mark_current")


def environment(templates_dir: Path, bytecode_cache: jinja2.BytecodeCache | None = None,
                filters: dict[str, Callable] | None = None) -> jinja2.Environment:
    """The templates folder's environment, autoescaped and strict, with the site's filters (where
    none are given, an environment that compiles templates and renders none)."""
    filters = dict.fromkeys(FILTERS, _compiling_only) if filters is None else filters
    if set(filters) != set(FILTERS):
        raise ValueError(f"the site's filters are {FILTERS}, not {tuple(filters)}")
    env = _Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        bytecode_cache=bytecode_cache,  # compiled templates from an earlier run, or a copy
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the builder makes a new environment when a template changes
        cache_size=-1,
        # Jinja's optimizer folds constants at compile time: what it saves a render, these templates never
        # noticed, and it is a tenth of compiling them, which every clean build does.
        optimized=False,
    )
    env.filters.update(filters)
    return env


class Macro(jinja2.runtime.Macro):
    """Jinja's macro, its HTML made Markup by str's own constructor: Markup's is Python code, which a
    site of 1,000 initiatives ran 10,000 times to wrap a macro's text (made by joining its parts)."""

    def _invoke(self, arguments, autoescape):
        if self._environment.is_async:
            return super()._invoke(arguments, autoescape)
        rv = self._func(*arguments)
        if autoescape:
            return str.__new__(Markup, rv) if type(rv) is str else Markup(rv)
        return rv


# What a template's context may call itself (_Context): a function, a macro, and a function whose results are
# remembered (functools.lru_cache's wrapper: the site's filter attributes, made once per initiative).
_DIRECT = (FunctionType, jinja2.runtime.Macro, Macro, type(functools.lru_cache()(len)))


class _Context(jinja2.runtime.Context):
    """A template's context, which calls a function, method, built-in or macro that takes no context straight away."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's names: a template may pass self= or obj=)
        # Jinja asks every callable, at every call, whether it takes the context (lookups of
        # attributes that are not there, an exception raised inside each): 1.5 us a call, twenty
        # calls a page. A function, a method or a macro says so by its own attribute, jinja_pass_arg.
        func = __obj.__func__ if type(__obj) is MethodType else __obj
        kind = type(func)
        # A built-in function or method (a str's startswith) has no attributes, so none says it takes the
        # context; namespace() is Jinja's own, which takes none.
        if kind is not BuiltinFunctionType and func is not Namespace and (
                kind not in _DIRECT or "jinja_pass_arg" in func.__dict__):
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)  # what Jinja adds to calls in blocks and loops for a context
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Jinja's own
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, with each `x.name` read by Python's own getattr first.

    Jinja's code reads every `x.name` through environment.getattr, a Python function: the attribute
    if there is one, else the item of that name, else Undefined. Called 230 times a page, it was a
    twentieth of rendering one. The code made here calls it only where the attribute is missing, so
    every value read is the same; x is worked out once (kept in a name of the code's own, t_go, and
    the attribute in t_ga, each set again by a read inside x before it is used).
    """

    def visit_Getattr(self, node, frame) -> None:
        if self.environment.is_async:
            return super().visit_Getattr(node, frame)
        self.write("(t_ga if (t_ga := getattr((t_go := ")
        self.visit(node.node, frame)
        self.write(f"), {node.attr!r}, missing)) is not missing else environment.getattr(t_go, {node.attr!r}))")


class _Environment(jinja2.Environment):
    """An environment whose templates share its globals, not each a ChainMap over them, call the
    site's functions directly (_Context) and read attributes quickly (_CodeGenerator)."""

    context_class = _Context
    code_generator_class = _CodeGenerator

    def make_globals(self, d):
        # Each render of a template that imports macros.html asks whether it has globals macros.html
        # lacks, a set made from a ChainMap in Python (40 us a page, a twentieth of rendering one).
        # No template here has globals of its own: each simply has the environment's.
        return super().make_globals(d) if d else self.globals


def _compiling_only(*args, **kwargs):
    raise RuntimeError("this environment compiles templates: it renders none")


def page_templates(env: jinja2.Environment) -> list[str]:
    """The templates pages are made with (the folder's top level; admin/ holds the web editor's files)."""
    return env.list_templates(filter_func=lambda name: "/" not in name and name.endswith(".html"))


class Compiled(jinja2.BytecodeCache):
    """Compiled templates in memory, by Jinja's key for each (Jinja checks each against its source)."""

    def __init__(self, found: dict[str, bytes] | None = None):
        self.found = found if found is not None else {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.found:
            bucket.bytecode_from_string(self.found[bucket.key])  # code for another source is left unused

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.found[bucket.key] = bucket.bytecode_to_string()


def compiled_templates(templates_dir: Path) -> dict[str, bytes]:
    """Every page template compiled, as Compiled keeps them (what a forked copy does meanwhile; a
    template that does not compile stops it, and the builder then compiles them and reports it)."""
    compiled = Compiled()
    env = environment(templates_dir, compiled)
    for name in page_templates(env):
        env.get_template(name)
    return compiled.found
