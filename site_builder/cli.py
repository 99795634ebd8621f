"""The site-builder command: a thin layer over the library."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import time
from pathlib import Path

from .problems import ContentError, Problem, UsageError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
DEFAULT_CACHE = Path(".cache/site-builder")  # see diskcache.py


def _common(parser: argparse.ArgumentParser) -> None:
    _content_only(parser)
    parser.add_argument("--templates", type=Path, default=Path("templates"), metavar="DIR",
                        help="the templates folder (default: templates)")
    parser.add_argument("--base-url", default=None, metavar="URL", type=_base_url,
                        help="the address the site is published at (default: base_url in site.yaml)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, metavar="DIR",
                        help="where to keep rendered Markdown and compiled templates between runs "
                             "(default: .cache/site-builder)")
    parser.add_argument("--no-cache", action="store_true",
                        help="work everything out afresh, and leave the cache as it is")


def _content_only(parser: argparse.ArgumentParser) -> None:
    """The --content option, which every command that reads content has."""
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                        help="the content folder (default: content)")


def _base_url(text: str) -> str:
    """The --base-url option: an absolute http(s) address, or a usage error."""
    from .urls import base_url_problem

    why = base_url_problem(text)
    if why:
        raise argparse.ArgumentTypeError(why)
    return text


def make_parser() -> argparse.ArgumentParser:
    """Describe the commands and their options."""
    parser = argparse.ArgumentParser(
        prog="site-builder",
        description="Build the Safer Colchester Partnership site from the YAML files in content/.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser("build", help="build the site into the output folder",
                                description="Load and check the content, then build the whole site into "
                                            "the output folder. On any error nothing is written.")
    _common(build)
    build.add_argument("--out", type=Path, default=Path("output"), metavar="DIR",
                       help="the folder to build into (default: output)")
    build.add_argument("--no-search", action="store_true",
                       help="leave out the search index (quicker; search will not work)")
    build.add_argument("--preview", action="store_true",
                       help="build a preview (a Netlify deploy preview): include draft plans, marked as drafts, "
                            "keep search engines out, and if the content has errors publish a page listing "
                            "them and exit 0 instead of failing")

    check = commands.add_parser("check", help="check the content without writing anything",
                                description="Load, validate and render the whole site in memory, check its "
                                            "links and look for personal data. Writes nothing.")
    _common(check)

    serve = commands.add_parser("serve", help="preview the site while you edit",
                                description="Build the site into .serve/, serve it, and rebuild and reload "
                                            "the browser whenever a file in content/ or templates/ is saved. "
                                            "Draft plans are shown, marked as drafts. The editor's schemas in "
                                            "schemas/ (beside the content folder) are kept current.")
    _common(serve)
    from .hosts import host_name, port_number  # checked here: a bad one is a usage error before anything runs
    serve.add_argument("--host", default="127.0.0.1", type=host_name,
                       help="the address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=port_number, default=8000, help="the port to listen on, 1 to 65535 (default: 8000)")

    schema = commands.add_parser("schema", help="write the JSON Schemas that editors use to check YAML",
                                 description="Write schemas/*.schema.json (not kept in git: made afresh by "
                                             "`make schema` and `make serve`, with every agency's names) and "
                                             "the field reference in the content guide, from the content model.")
    _content_only(schema)
    schema.add_argument("--out", type=Path, default=Path("schemas"), metavar="DIR",
                        help="the folder for the schemas (default: schemas)")
    schema.add_argument("--guide", type=Path, default=Path("docs/content-guide.md"), metavar="FILE",
                        help="the content guide whose field reference to update (default: docs/content-guide.md)")
    schema.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the guide's field reference is out of date")

    addresses = commands.add_parser(
        "addresses", help="record the site's addresses in content/published.txt",
        description="Build the site in memory and add every address it publishes to content/published.txt, "
                    "the record that builds check so that no published address ever breaks. CI records "
                    "after every push to main. Never removes an address.")
    _common(addresses)
    mode = addresses.add_mutually_exclusive_group(required=True)
    mode.add_argument("--record", action="store_true",
                      help="add every address this build publishes to content/published.txt")
    mode.add_argument("--check", action="store_true",
                      help="write nothing; exit 1 if content/published.txt lacks an address this build publishes")

    fmt = commands.add_parser("fmt", help="write every content file in the one YAML form the web editor writes",
                              description="Rewrite the content files in the shared YAML form (docs/web-editor.md): "
                                          "the form the web editor saves, so that a form edit is a diff of the "
                                          "lines it changed. Values are never changed; comments are removed.")
    _content_only(fmt)
    fmt.add_argument("--check", action="store_true",
                     help="write nothing; exit 1 if a file is not in the shared form")

    fingerprint = commands.add_parser("fingerprint", help="fingerprint a name for blocked_names in site.yaml",
                                      description="Print the fingerprints of a person's name, to add to "
                                                  "blocked_names in content/site.yaml so that builds refuse it: "
                                                  "the name's, and its first initial and surname's (J. Smith).")
    fingerprint.add_argument("name", nargs="+", help="the name, such as \"Jane Smith\"")

    new = commands.add_parser("new", help="start a new content file",
                              description="Start a new content file from an earlier one.")
    new_kinds = new.add_subparsers(dest="kind", metavar="KIND", required=True)
    new_plan = new_kinds.add_parser("plan", help="start the plan for a new year",
                                    description="Write content/plans/PERIOD.yaml with the priorities and members "
                                                "of an earlier plan and no initiatives. Never overwrites a file.")
    new_plan.add_argument("period", metavar="PERIOD", help="the new plan's year, like 2022-23")
    new_plan.add_argument("--from", dest="source", metavar="PERIOD", default=None,
                          help="the plan to copy priorities and members from (default: the newest)")
    _content_only(new_plan)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage message
        return EXIT_USAGE if exc.code else EXIT_OK
    try:
        if args.command == "fingerprint":
            from .privacy import fingerprints
            print("\n".join(fingerprints(" ".join(args.name))))
            return EXIT_OK
        if args.command == "serve":
            from .serve import serve
            # The editor's schemas beside the content folder, as `make schema` writes them.
            return serve(args.content, args.templates, args.host, args.port, cache=_disk_cache(args),
                         schemas=args.content.absolute().parent / "schemas")
        return COMMANDS[args.command](args)  # argparse allows only the commands named
    except UsageError as exc:
        print(f"site-builder: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the output was piped into a command that stopped reading, such as head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CONTENT


def run() -> None:
    """The command's entry point: main(), then leave at once.

    When main returns, every file is written and closed and every helper process stopped. Python's
    own exit would then free the loaded site object by object: 0.6 s at 10,000 initiatives.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a closed pipe: nothing more can be said
            stream.flush()
    os._exit(code)


def print_problems(problems: list[Problem], excerpts: bool = True, stream=None) -> None:
    """report.print_problems, imported only when there are problems to print: it brings the content
    model and Markdown with it, a tenth of a second before a build could start its first copy."""
    from .report import print_problems as show

    show(problems, excerpts, stream)


def _count(problems: list[Problem], level: str) -> str:
    n = sum(1 for p in problems if p.level == level)
    return f"{n} {level}{'' if n == 1 else 's'}"


def _disk_cache(args):
    """The cache the options ask for (a DiskCache whose folder is None when there is none)."""
    from .diskcache import DiskCache
    from .outdir import check_place

    if not args.no_cache:  # the cache is written to and cleared: never where content lives
        keep = {"the content folder": args.content, "the templates folder": args.templates}
        if getattr(args, "out", None) is not None:
            keep["the output folder"] = args.out
        check_place(args.cache, keep, "keep the cache in", "--cache")
    cache = DiskCache(None if args.no_cache else args.cache)
    cache.load()
    return cache


def cmd_build(args) -> int:
    """Build the site into the output folder, atomically."""
    with contextlib.ExitStack() as compiling:  # the copy is stopped whatever happens, if still at work
        compiling.callback(gc.unfreeze)  # what _build's imports made, frozen there: collectable again at the end
        return _build(args, compiling.enter_context(_compiled_early(args.templates)) if args.no_cache else None)


def _compiled_early(templates: Path):
    """A forked copy compiling the templates, started before the builder's modules are imported (a
    fifth of a second on one core, the other's to use): without a cache, every build compiles them."""
    from .processes import aside

    def compiled() -> dict[str, bytes]:
        # The copy ends as soon as its work is done (processes.fork) and frees nothing before: no garbage to
        # collect, and collecting took 5 of its 115 ms.
        gc.disable()
        from .templating import compiled_templates  # Jinja too is imported by the copy, on its own core

        return compiled_templates(templates)

    return aside(compiled)


def _build(args, compiling) -> int:
    """cmd_build, given the templates being compiled meanwhile (processes.aside's result), or None."""
    # Importing the builder makes some 100,000 objects that all live on: the garbage collector, run every
    # 700 of them, would walk them again and again for nothing (7 ms of the imports' 100), and once more at
    # its first run after them (4 ms). They are frozen (gc.freeze), which it never walks: till the build ends
    # (a one-off build unfreezes everything at its end), or cmd_build does where no build ran.
    collecting = gc.isenabled()
    gc.disable()
    try:
        from .build import SiteBuilder
        from .outdir import UnsafeName, check_out
        from .write import new_tree
    finally:
        gc.freeze()
        if collecting:
            gc.enable()

    started = time.perf_counter()
    # Before any work: a build replaces the output folder whole (a UsageError says why not).
    try:
        check_out(args.out, {"the content folder": args.content, "the templates folder": args.templates,
                             "the cache folder": args.cache})
    except OSError as exc:  # a folder on the way cannot be read
        return _not_written(args.out, exc)
    cache = _disk_cache(args)
    builder = SiteBuilder(args.content, args.templates, args.base_url, cache.templates(), preview=args.preview,
                          once=True, compiling=compiling)
    try:
        # Each page is written as soon as it is made, by the process that made it, and read into the
        # search index; the new tree replaces the output folder only once the whole build has succeeded.
        with new_tree(args.out, index=not args.no_search) as tree:
            result = builder.build(on_page=tree.write, on_done=tree.take)
            tree.add_all(result.files)  # what it kept: none, where it gave every file to tree.write as it made it
            # The site is let go before the search index is written, so that the two never hold memory at once.
            built = f"{len(result.pages)} pages ({len(tree.names)} files)"
            del result, builder
    except ContentError as exc:
        cache.save()  # what was worked out holds for the next run, after the fix
        print_problems(exc.problems)
        if args.preview:
            return _publish_errors(exc.problems, args.out, args.content)
        print(f"\nThe site was not built: {_count(exc.problems, 'error')}. "
              f"{args.out}/ is unchanged.", file=sys.stderr)
        return EXIT_CONTENT
    except (OSError, UnsafeName) as exc:  # a full disk, a read-only folder; a file name that could leave out/
        return _not_written(args.out, exc)
    cache.save()
    seconds = time.perf_counter() - started
    print(f"Built {built} into {args.out}/ in {seconds:.2f} s.")
    return EXIT_OK


def _not_written(out: Path, exc: Exception) -> int:
    """Say in one line why the output folder could not be written; it is as it was."""
    if isinstance(exc, OSError) and exc.strerror:
        reason = f"cannot write {out}/ ({exc.strerror}" + (f": {exc.filename})" if exc.filename else ")")
    else:
        reason = str(exc)
    reason = " ".join(reason.split())  # one line, whatever a file name holds
    print(f"site-builder: the site was not built: {reason}. {out}/ is unchanged.", file=sys.stderr)
    return EXIT_CONTENT


def _publish_errors(problems: list[Problem], out: Path, content: Path) -> int:
    """Publish a page listing the errors, at every address: a deploy preview that shows why it failed."""
    from .errorpage import STYLE, STYLESHEET, error_page
    from .privacy import allow_lists
    from .write import write_tree

    page = error_page(problems, deploy=True, allowed=allow_lists(content))
    try:
        write_tree({"index.html": page, "404.html": page, STYLESHEET: STYLE.encode(),
                    "robots.txt": b"User-agent: *\nDisallow: /\n"}, out)
    except OSError as exc:
        return _not_written(out, exc)
    print(f"\nThe content has {_count(problems, 'error')}: {out}/ holds a page listing them, for the preview. "
          "A production build of this content fails.", file=sys.stderr)
    return EXIT_OK


def cmd_check(args) -> int:
    """Check everything a build would, and more, without writing."""
    from .check import check_site

    cache = _disk_cache(args)
    problems = check_site(args.content, args.templates, args.base_url, cache.templates())
    cache.save()
    problems = sorted(problems + _format_warnings(args.content, problems), key=Problem.sort_key)
    print_problems(problems, excerpts=False, stream=sys.stdout)
    print(f"{_count(problems, 'error')}, {_count(problems, 'warning')}.")
    return EXIT_CONTENT if any(p.level == "error" for p in problems) else EXIT_OK


def _format_warnings(content: Path, problems: list[Problem]) -> list[Problem]:
    """A warning for each content file, free of errors, that is not in the shared YAML form."""
    from .fmt import format_folder, not_canonical

    faulty = {Path(p.pos.file).resolve() for p in problems if p.level == "error"}
    results, _ = format_folder(content, write=False)
    return [not_canonical(r) for r in results if r.changed and Path(r.rel).resolve() not in faulty]


def cmd_fmt(args) -> int:
    """Write (or check) every content file in the shared YAML form."""
    from .fmt import format_folder, not_canonical

    if not args.content.is_dir():
        raise UsageError(f"{args.content} is not a folder")
    results, problems = format_folder(args.content, write=not args.check)
    changed = [r for r in results if r.changed]
    if problems:
        print_problems(problems)
        print(f"\nFix {_count(problems, 'error')} first: those files were left as they are.", file=sys.stderr)
    if args.check:
        print_problems([not_canonical(r, "error") for r in changed], excerpts=False, stream=sys.stdout)
        unread = sum(1 for r in results if r.problems)  # files with errors, not judged
        print(f"{len(changed)} of {len(results)} files not in the shared form." if changed
              else f"All {len(results)} files are in the shared form." if not unread
              else f"The other {len(results) - unread} files are in the shared form.")
        return EXIT_CONTENT if changed or problems else EXIT_OK
    print(f"Rewrote {len(changed)} of {len(results)} files" + (": " + ", ".join(r.rel for r in changed) if changed else "."))
    return EXIT_CONTENT if problems else EXIT_OK


def cmd_addresses(args) -> int:
    """Record (or check) every address the site publishes in content/published.txt."""
    from .addresses import record_addresses
    from .build import SiteBuilder

    cache = _disk_cache(args)
    try:
        result = SiteBuilder(args.content, args.templates, args.base_url, cache.templates()).build()
    except ContentError as exc:
        cache.save()
        print_problems(exc.problems)
        print(f"\nNothing was recorded: {_count(exc.problems, 'error')}.", file=sys.stderr)
        return EXIT_CONTENT
    cache.save()
    path, missing = record_addresses(args.content, result.site, result.files, write=args.record)
    if args.record:
        print(f"Recorded {len(missing)} new address{'' if len(missing) == 1 else 'es'} in {path}.")
        return EXIT_OK
    for address in sorted(missing):
        print(f"not yet recorded: {address}")
    if missing:
        print(f"Run `make addresses` (site-builder addresses --record) to add them to {path}.")
    return EXIT_CONTENT if missing else EXIT_OK


def _load_or_report(content: Path, drafts: bool = False):
    """Load the content, or print its problems and return None."""
    from .load import load_site

    try:
        return load_site(content, drafts)
    except ContentError as exc:
        print_problems(exc.problems)
        print(f"\nFix {_count(exc.problems, 'error')} first.", file=sys.stderr)
        return None


def cmd_schema(args) -> int:
    """Write (or check) the JSON Schemas and the content guide's field reference."""
    from .schema import update_guide, write_schemas

    site = _load_or_report(args.content)
    if site is None:
        return EXIT_CONTENT
    if args.check:  # the schemas themselves are never stale: they are made, not committed
        text = args.guide.read_text(encoding="utf-8") if args.guide.is_file() else ""
        if text and update_guide(text) != text:
            print(f"out of date: {args.guide}\nRun `make schema` (site-builder schema) and commit the result.")
            return EXIT_CONTENT
        return EXIT_OK
    changed = write_schemas(site, args.out, args.guide)
    print(f"Wrote {len(changed)} changed file(s)" + (": " + ", ".join(map(str, changed)) if changed else "."))
    return EXIT_OK


def cmd_new_plan(args) -> int:
    """Start the plan for a new year."""
    from .newplan import new_plan

    site = _load_or_report(args.content, drafts=True)
    if site is None:
        return EXIT_CONTENT
    try:
        path = new_plan(site, args.content, args.period, args.source)
    except FileExistsError as exc:
        print(f"site-builder: {exc.filename} already exists; it was left as it is.", file=sys.stderr)
        return EXIT_CONTENT
    except OSError as exc:
        print(f"site-builder: cannot write {exc.filename}: {exc.strerror}.", file=sys.stderr)
        return EXIT_CONTENT
    source = args.source or site.plans[0].period
    print(f"Wrote {path}: a draft, with the priorities and members of the {source} plan and no initiatives.\n"
          "Next:\n"
          f"  1. Open {path} and check each priority's title, short title and summary.\n"
          "  2. Add the year's initiatives under each priority (docs/content-guide.md, \"Add an initiative\").\n"
          "  3. Run `make serve` and look at the new plan at http://127.0.0.1:8000/plans/ (marked as a draft).\n"
          "  4. Commit the file and open a pull request; the checks run by themselves. While the plan says\n"
          "     'draft: true' the published site leaves it out; delete that line to publish it.")
    return EXIT_OK


COMMANDS = {"build": cmd_build, "check": cmd_check, "schema": cmd_schema, "addresses": cmd_addresses, "fmt": cmd_fmt,
            "new": cmd_new_plan}


if __name__ == "__main__":
    run()
