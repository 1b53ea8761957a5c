"""The staff and operator tools behind the `portal` command, one module each:
new, check, build, preview, import (a sub-package), publish/rollback, serve."""

from pathlib import Path


def shown(path: Path) -> str:
    """A path as the person typed it: relative to the current folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
