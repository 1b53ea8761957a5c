"""The files under content/ themselves: nothing outside content/ is ever read or published.

A symbolic link under content/ (a file or a folder) is allowed only when it
stays inside content/. One that leads outside (``images/evil.png ->
/etc/passwd``, ``images/etc -> /etc``) or nowhere is an error naming the link,
found before Pelican reads or copies anything: the build, ``portal check``
and the preview all stop on it. The walk never follows a link, so a link to
a huge folder or a loop of links costs nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from .model import Problem


def _shown(content: Path, path: Path) -> str:
    return str(Path(content.name) / path.relative_to(content))


def link_problems(content: Path) -> list[Problem]:
    """One error per symbolic link under ``content`` that is broken or leads outside it."""
    content = Path(content)
    if not content.is_dir():
        return []
    root = content.resolve()
    problems: list[Problem] = []
    for folder, dirs, files in os.walk(content, followlinks=False):
        for name in sorted([*dirs, *files]):
            path = Path(folder) / name
            if not path.is_symlink():
                continue
            target = os.readlink(path)
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError):  # missing target, or a loop of links
                problems.append(Problem(_shown(content, path), None, None, None, "link_broken", {"target": target}))
                continue
            if real != root and root not in real.parents:
                problems.append(Problem(_shown(content, path), None, None, None, "link_outside", {"target": target}))
        dirs.sort()
    return problems
