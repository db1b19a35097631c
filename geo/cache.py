"""A small hashed disk cache of numpy arrays (``.npz``, never pickle).

Keys are SHA-256 hashes of everything that determines the result: input file
digests, settings fingerprints and code versions.  Writes are atomic (write to
a temporary file, then rename), and a corrupt file is reported in one line,
removed and rebuilt.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np

log = logging.getLogger(__name__)


class CacheWarning(UserWarning):
    """A cache file could not be used and is being rebuilt."""


def file_digest(path: str | os.PathLike) -> str:
    """Return the SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_key(*parts: Any) -> str:
    """Return a 24-character hash of JSON-serialisable ``parts``."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def save_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` to ``path`` (``.npz``) atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npz")
    os.close(fd)
    try:
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    """Read an ``.npz`` written by :func:`save_arrays` (no pickled objects allowed)."""
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def cached_arrays(
    cache_dir: Path, name: str, key: str, build: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """Return arrays from ``cache_dir/name-key.npz``, building and saving them on a miss.

    A corrupt or unreadable cache file gives one :class:`CacheWarning` line
    saying which file and that it is rebuilt; the build then replaces it.
    """
    path = Path(cache_dir) / f"{name}-{key}.npz"
    if path.exists():
        try:
            return load_arrays(path)
        except Exception as exc:  # any read failure means the file is unusable
            msg = (
                f"Cache file {path} is corrupt or not a numpy archive ({type(exc).__name__}); rebuilding it. "
                f"Delete {Path(cache_dir)} to clear the whole cache."
            )
            warnings.warn(msg, CacheWarning, stacklevel=2)
            path.unlink(missing_ok=True)
    arrays = build()
    save_arrays(path, arrays)
    return arrays
