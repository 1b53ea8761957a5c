"""The files under content/ themselves: nothing outside content/ is ever read or published,
and nothing published from it runs in the site's origin.

A symbolic link under content/ (a file or a folder) is allowed only when it
stays inside content/, and never to an article (a Markdown file): its kind
would be the folder the file really is in, and the article read twice. One
that leads outside (``images/evil.png -> /etc/passwd``, ``images/etc ->
/etc``) or nowhere is an error naming the link,
found before Pelican reads or copies anything: the build, ``portal check``
and the preview all stop on it. The walk never follows a link, so a link to
a huge folder or a loop of links costs nothing.

Files copied as they are (STATIC_PATHS, e.g. content/images/) are served from
the portal's own address, so a file a browser would run there is refused:
only the types in STATIC_TYPES are published, and an SVG (an XML document
that may hold script) must be a picture only: no script, event handler,
foreignObject, external reference or DTD.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from lxml import etree

from .model import Problem

STATIC_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".pdf")
# the name of a picture's smaller copy (portal.paths.image_variant: x.png -> x.png.360w.webp), kept for the copies
COPY_NAME = re.compile(r"(?P<original>.+\.(?:png|jpe?g|webp))\.[0-9]+w\.webp", re.IGNORECASE)
MAX_SVG_BYTES = 2_000_000
MAX_ARTICLE_BYTES = 2_000_000  # a long article is 50 kB; more is a paste gone wrong, or an attack
_SVG_ACTIVE = {"script", "foreignobject", "iframe", "object", "embed", "handler", "listener", "animate", "set",
               "animatemotion", "animatetransform", "discard", "image", "a", "audio", "video"}


# file systems whose times a rebuild may trust to say a file did not change (the parse cache's stamps):
# on these a write moves the change time at once, for every process. A network or user-space file system
# (NFS, SMB, FUSE, 9p...) may show another machine's write late (its attribute cache) or keep times as
# its server likes: its files are read and hashed on every build.
LOCAL_FILE_SYSTEMS = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "zfs", "f2fs", "overlay", "jfs",
                                "reiserfs", "bcachefs", "ramfs"})


def file_system_type(path: str | Path, mountinfo: str = "/proc/self/mountinfo") -> str | None:
    """The type of the file system ``path`` is on (Linux's mount table), or None where there is no table."""
    try:
        with open(mountinfo, encoding="utf-8", errors="surrogateescape") as table:
            lines = table.read().splitlines()
    except OSError:
        return None
    target = os.path.realpath(path)
    best, found = -1, None
    for line in lines:
        fields = line.split(" ")
        try:
            point = fields[4].replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n") \
                .replace("\\134", "\\")
            kind = fields[fields.index("-", 6) + 1]
        except (IndexError, ValueError):
            continue
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= best:  # the deepest mount; of two at one place, the later
            best, found = len(point), kind
    return found


def times_can_be_trusted(path: str | Path) -> bool:
    """Whether a file's times under ``path`` say surely that it did not change (see LOCAL_FILE_SYSTEMS).
    Without a mount table (not Linux) they are trusted, as git trusts them."""
    kind = file_system_type(path)
    return kind is None or kind in LOCAL_FILE_SYSTEMS


def _shown(content: Path, path: Path) -> str:
    return str(Path(content.name) / path.relative_to(content))


def link_problems(content: Path) -> list[Problem]:
    """One error per symbolic link under ``content`` that is broken or leads outside it."""
    content = Path(content)
    if not content.is_dir():
        return []
    root = content.resolve()
    problems: list[Problem] = []
    todo = [str(content)]
    while todo:  # depth first, names in order (the folder's entries say their type: no stat a file)
        folder = todo.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        below = []
        for entry in entries:
            if not entry.is_symlink():
                if entry.is_dir(follow_symlinks=False):
                    below.append(entry.path)
                elif not entry.is_file(follow_symlinks=False):  # a pipe or a device: reading it blocks
                    problems.append(Problem(_shown(content, Path(entry.path)), None, None, None, "special_file"))
                continue
            path = Path(entry.path)
            target = os.readlink(path)
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError):  # missing target, or a loop of links
                problems.append(Problem(_shown(content, path), None, None, None, "link_broken", {"target": target}))
                continue
            if real != root and root not in real.parents:
                problems.append(Problem(_shown(content, path), None, None, None, "link_outside", {"target": target}))
            elif path.suffix.lower() == ".md" or real.suffix.lower() == ".md" or (
                    real.is_dir() and next(real.rglob("*.md"), None) is not None):  # articles read twice, or by the
                # kind of the folder they really are in, their errors named after the other files
                problems.append(Problem(_shown(content, path), None, None, None, "link_to_article", {"target": target}))
        todo.extend(reversed(below))
    return problems


def static_problems(content: Path, static_paths: list[str] | tuple[str, ...]) -> list[Problem]:
    """Files in the static folders that would be served as something other than a picture or a PDF.

    Walked as Pelican walks them (through links that stay inside content/, hidden files and folders left out:
    the build ignores them);
    a file is judged by the name it is published under, and an SVG by what it holds."""
    content = Path(content)
    problems: list[Problem] = []
    for folder in static_paths:
        base = content / folder
        seen: set[str] = set()
        for top, dirs, names in os.walk(base, followlinks=True):
            real = os.path.realpath(top)
            if real in seen or not Path(real).is_relative_to(content.resolve()):
                dirs[:] = []  # a loop of links, or outside content/ (reported by link_problems)
                continue
            seen.add(real)
            # a hidden file or folder (".DS_Store", ".git/") is never published (the build ignores ".*")
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            names = [n for n in names if not n.startswith(".")]
            for name in dirs:  # a folder (or a link to one) named as a picture's copy: the copy could not be made
                problem = copy_name_problem(Path(top) / name, Path(top, name).relative_to(content), content)
                if problem:
                    problems.append(problem)
            for name in sorted(names):
                problem = published_file_problem(Path(top) / name, Path(top, name).relative_to(content), content)
                if problem:
                    problems.append(problem)
    return problems


def copy_name_problem(source: Path, published_as: Path, content: Path) -> Problem | None:
    """A file, folder or link of content/ named as one of a picture's copies (``x.png.360w.webp`` beside
    ``x.png``): one of the two would be published in the other's place, or the copy could not be made."""
    copy = COPY_NAME.fullmatch(published_as.name)
    if copy is None or not os.path.isfile(source.parent / copy["original"]):  # (a picture: a file, or a link to one)
        return None
    original = (published_as.parent / copy["original"]).as_posix()
    return Problem(str(Path(content.name) / published_as), None, None, None, "image_copy_name",
                   {"path": f"content/{published_as.as_posix()}", "original": f"content/{original}"})


def published_file_problem(source: Path, published_as: Path, content: Path) -> Problem | None:
    """Why a file copied from content/ as `published_as` must not be, or None."""
    if not source.is_file():
        return None
    shown = str(Path(content.name) / published_as)
    if published_as.suffix.lower() not in STATIC_TYPES:
        folder = published_as.parts[0] if len(published_as.parts) > 1 else "content"
        return Problem(shown, None, None, None, "static_type",
                       {"folder": folder, "types": ", ".join(t[1:].upper() for t in STATIC_TYPES)})
    copied = copy_name_problem(source, published_as, content)
    if copied:
        return copied
    if published_as.suffix.lower() == ".svg":
        why = svg_danger(source)
        if why:
            return Problem(shown, None, None, None, "unsafe_svg", {"what": why})
    return None


def svg_danger(path: Path) -> str | None:
    """What in an SVG could run or load something, or None when it is a plain picture."""
    data = path.read_bytes()
    if len(data) > MAX_SVG_BYTES:
        return f"> {MAX_SVG_BYTES // 1_000_000} MB"
    if b"<!ENTITY" in data:  # a DOCTYPE naming the SVG DTD is fine (never fetched); entities are not
        return "<!ENTITY>"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        return f"XML: {err}"[:120]
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        name = etree.QName(element).localname.lower()
        if name in _SVG_ACTIVE:
            return f"<{etree.QName(element).localname}>"
        if name == "style" and _loads_something(element.text or ""):
            return "<style> @import/url()"
        for attr, value in element.attrib.items():
            local = etree.QName(attr).localname.lower()
            if local.startswith("on"):
                return f'{local}="…"'
            if local == "href" and not value.strip().startswith("#"):
                return f'href="{value[:60]}"'
            if _loads_something(value):
                return f'{local}="{value[:60]}"'
    for node in (*root.itersiblings(preceding=True), *root.iter(etree.ProcessingInstruction)):
        if isinstance(node, etree._ProcessingInstruction):
            return f"<?{node.target}?>"  # xml-stylesheet would load a style sheet
    return None


def _loads_something(css: str) -> bool:
    """CSS that fetches from elsewhere: @import, or url() of anything but a #fragment in the same file."""
    squeezed = css.replace(" ", "").replace("'", "").replace('"', "").lower()
    return "@import" in squeezed or any(not part.startswith("#") for part in squeezed.split("url(")[1:])


def size_problem(path: Path, shown: str) -> Problem | None:
    """An article file too large to be one, reported before it is read."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        return Problem(shown, None, None, None, "special_file")
    size = info.st_size
    if size <= MAX_ARTICLE_BYTES:
        return None
    return Problem(shown, None, None, None, "too_large",
                   {"size": f"{size / 1_000_000:.1f}", "limit": f"{MAX_ARTICLE_BYTES / 1_000_000:.0f}"})
