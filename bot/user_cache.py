"""What the CLI keeps between runs in the user's cache directory: small files, each written
whole to a temporary file and renamed over the old one (a reader never sees half a file),
readable by their owner only."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/ecs-why`, by default `~/.cache/ecs-why`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ecs-why"


def write_private(path: Path, text: str) -> None:
    # Every directory made here is its owner's only (mkdir's `parents` would make them 0755).
    for directory in reversed([d for d in (path.parent, *path.parent.parents) if not d.exists()]):
        directory.mkdir(mode=0o700, exist_ok=True)
    # mkstemp creates the file readable and writable by its owner only (0600).
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
