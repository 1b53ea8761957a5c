"""Writing output files: how every plugin puts bytes into the output folder."""

from __future__ import annotations

from pathlib import Path


def write_file(path: Path, data: bytes) -> None:
    """Write an output file, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
