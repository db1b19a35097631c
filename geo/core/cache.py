"""A hashed disk cache of numpy arrays (``.npz``, never pickle) and one in-memory memo.

The disk cache and the memo are keyed the same way: by digests of what
determines a result (region files, settings fingerprint, code digest), never
by object identity.  A region saved or rebuilt therefore gets new keys and is
seen without a restart, and tests need no ``cache_clear()``.

Keys are SHA-256 hashes of everything that determines the result: input file
digests, settings fingerprints and code versions.  Writes are atomic (write to
a temporary file, then rename), and a corrupt file is reported in one line,
removed and rebuilt.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import tempfile
import threading
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, TypeVar

import numpy as np

log = logging.getLogger(__name__)


T = TypeVar("T")


class CacheWarning(UserWarning):
    """A cache file could not be used and is being rebuilt."""


def file_digest(path: str | os.PathLike) -> str:
    """Return the SHA-256 hex digest of a file's bytes.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    str
        64 hex digits.
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_key(*parts: Any) -> str:
    """Return a 24-character hash of JSON-serialisable ``parts``.

    Parameters
    ----------
    *parts
        Anything ``json.dumps`` takes (other objects count by their ``str``).

    Returns
    -------
    str

    Examples
    --------
    >>> cache_key("od", 2) == cache_key("od", 2) != cache_key("od", 3)
    True
    """
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def save_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` to ``path`` (``.npz``) atomically.

    Parameters
    ----------
    path : pathlib.Path
        The archive; its folder is created.
    arrays : dict of str to ndarray
        Plain arrays (no objects).
    """
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
    """Read an ``.npz`` written by :func:`save_arrays` (no pickled objects allowed).

    Parameters
    ----------
    path : pathlib.Path

    Returns
    -------
    dict of str to ndarray
    """
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def cached_arrays(
    cache_dir: Path, name: str, key: str, build: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """Return arrays from ``cache_dir/name-key.npz``, building and saving them on a miss.

    A corrupt or unreadable cache file gives one :class:`CacheWarning` line
    saying which file and that it is rebuilt; the build then replaces it.

    Parameters
    ----------
    cache_dir : pathlib.Path
        The cache folder.
    name : str
        File name prefix (``"od-walk"``).
    key : str
        Hash of everything that determines the arrays (:func:`cache_key`).
    build : callable
        Computes the arrays on a miss.

    Returns
    -------
    dict of str to ndarray
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


class Memo:
    """A bounded, thread-safe, least-recently-used memo keyed by content digests.

    Parameters
    ----------
    maxsize : int
        How many results are kept; the least recently used goes first.

    Examples
    --------
    >>> memo = Memo(maxsize=2)
    >>> memo.get("a", lambda: 1), memo.get("a", lambda: 2)
    (1, 1)
    >>> memo.get("b", lambda: 3), memo.get("c", lambda: 4), memo.get("a", lambda: 5)
    (3, 4, 5)
    """

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = int(maxsize)
        self._data: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.RLock()

    def get(self, key: str, build: Callable[[], T]) -> T:
        """Return the result stored under ``key``, building and storing it on a miss.

        Parameters
        ----------
        key : str
            A content digest.
        build : callable
            Computes the result on a miss (called outside the lock).

        Returns
        -------
        object
        """
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = build()  # outside the lock: builds may take seconds and call get() themselves
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every stored result (for benchmarks timing a cold start; tests never need it).

        Examples
        --------
        >>> memo = Memo()
        >>> memo.get("a", lambda: 1)
        1
        >>> memo.clear(); len(memo)
        0
        """
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


#: The process's one memo: every in-memory cache of the project goes through it.
MEMO = Memo()


def memoised(key: Callable[..., tuple]) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Decorate a function so its results are kept in :data:`MEMO` under a content key.

    Parameters
    ----------
    key : callable
        Called with the function's arguments; returns a tuple of JSON-serialisable
        parts that determine the result (digests, fingerprints, numbers).  The
        function's module and name are added, so two functions never share a key.

    Returns
    -------
    callable
        The decorator.

    Examples
    --------
    >>> calls = []
    >>> @memoised(lambda x: (x,))
    ... def square(x):
    ...     calls.append(x)
    ...     return x * x
    >>> square(3), square(3), len(calls)
    (9, 9, 1)
    """

    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            digest = cache_key(name, *key(*args, **kwargs))
            return MEMO.get(digest, lambda: fn(*args, **kwargs))

        return wrapper

    return decorate
