"""The site-builder command: a thin layer over the library."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .problems import ContentError, Problem, UsageError, source_excerpt

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                        help="the content folder (default: content)")
    parser.add_argument("--templates", type=Path, default=Path("templates"), metavar="DIR",
                        help="the templates folder (default: templates)")
    parser.add_argument("--base-url", default=None, metavar="URL",
                        help="the address the site is published at (default: base_url in site.yaml)")


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

    check = commands.add_parser("check", help="check the content without writing anything",
                                description="Load, validate and render the whole site in memory, check its "
                                            "links and look for personal data. Writes nothing.")
    _common(check)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage message
        return EXIT_USAGE if exc.code else EXIT_OK
    try:
        if args.command == "build":
            return cmd_build(args)
        if args.command == "check":
            return cmd_check(args)
    except UsageError as exc:
        print(f"site-builder: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    raise AssertionError(args.command)  # argparse allows only the commands above


def print_problems(problems: list[Problem], excerpts: bool = True, stream=None) -> None:
    """Print each problem on one line, with the source lines under it."""
    stream = stream or sys.stderr
    cache: dict[str, list[str]] = {}
    for problem in problems:
        print(problem, file=stream)
        if excerpts:
            if problem.pos.file not in cache:
                try:
                    cache[problem.pos.file] = Path(problem.pos.file).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    cache[problem.pos.file] = ""
            excerpt = source_excerpt(cache[problem.pos.file], problem.pos.line, problem.pos.col)
            if excerpt:
                print("\n".join("    " + line for line in excerpt.splitlines()), file=stream)


def _count(problems: list[Problem], level: str) -> str:
    n = sum(1 for p in problems if p.level == level)
    return f"{n} {level}{'' if n == 1 else 's'}"


def cmd_build(args) -> int:
    """Build the site into the output folder, atomically."""
    from .build import SiteBuilder
    from .write import write_tree

    started = time.perf_counter()
    builder = SiteBuilder(args.content, args.templates, args.base_url)
    try:
        result = builder.build()
    except ContentError as exc:
        print_problems(exc.problems)
        print(f"\nThe site was not built: {_count(exc.problems, 'error')}. "
              f"{args.out}/ is unchanged.", file=sys.stderr)
        return EXIT_CONTENT
    write_tree(result.files, args.out)
    seconds = time.perf_counter() - started
    print(f"Built {len(result.pages)} pages ({len(result.files)} files) into {args.out}/ in {seconds:.2f} s.")
    return EXIT_OK


def cmd_check(args) -> int:
    """Check everything a build would, and more, without writing."""
    from .check import check_site

    problems = check_site(args.content, args.templates, args.base_url)
    print_problems(problems, excerpts=False, stream=sys.stdout)
    errors = sum(1 for p in problems if p.level == "error")
    print(f"{_count(problems, 'error')}, {_count(problems, 'warning')}.")
    return EXIT_CONTENT if errors else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
