"""Uploads: size and type limits, safe unpacking of zipped Shapefiles, temporary folders.

:func:`safe_upload` writes an upload into a fresh temporary folder after
checking its size and extension; a ``.zip`` is unpacked there member by member
(at most :data:`ZIP_MAX_FILES` members and :data:`ZIP_MAX_BYTES` unpacked,
counted while unpacking; no absolute paths, ``..``, symbolic links, encrypted
members or unexpected extensions).  :func:`uploaded` is the same as a context
manager that removes the folder afterwards.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any, Final, Iterator, Sequence

from layers.errors import LayerFileError, exception_reason
from layers.i18n import t

__all__ = [
    "UPLOAD_EXTENSIONS",
    "UPLOAD_MAX_BYTES",
    "UPLOAD_PREFIX",
    "ZIP_MAX_BYTES",
    "ZIP_MAX_FILES",
    "ZIP_MEMBER_EXTENSIONS",
    "clean_filename",
    "extract_zip",
    "remove_upload",
    "safe_upload",
    "uploaded",
]

#: Largest upload accepted by :func:`safe_upload` (bytes).
UPLOAD_MAX_BYTES: Final = 50 * 1024 * 1024
#: Largest total unpacked size of an uploaded ``.zip`` (bytes).
ZIP_MAX_BYTES: Final = 200 * 1024 * 1024
#: Most members an uploaded ``.zip`` may hold (folders included).
ZIP_MAX_FILES: Final = 100
#: Extensions accepted by :func:`safe_upload`.
UPLOAD_EXTENSIONS: Final = (".geojson", ".json", ".gpkg", ".zip", ".csv", ".xlsx", ".txt")
#: Extensions a zipped Shapefile's members may have (``.shp.xml`` ends in ``.xml``).
ZIP_MEMBER_EXTENSIONS: Final = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml")

#: Name prefix of the temporary folders of uploads.
UPLOAD_PREFIX: Final = "junheng-upload-"
#: Members of a zip that are operating-system clutter, skipped with a note.
_ZIP_CLUTTER: Final = re.compile(r"(^|/)(__MACOSX/|\._)|(^|/)(\.DS_Store|Thumbs\.db|desktop\.ini)$", re.IGNORECASE)


def clean_filename(filename: str) -> str:
    """Return the last path part of ``filename`` without control characters.

    Parameters
    ----------
    filename : str
        A name as a browser or a user sent it (may hold folders, ``..`` or
        control characters).

    Returns
    -------
    str
        The bare file name, stripped of blanks and leading/trailing dots.

    Examples
    --------
    >>> clean_filename("../../etc/学校.csv")
    '学校.csv'
    """
    name = re.split(r"[\\/]", str(filename))[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    return name


def _zip_member_name(info: zipfile.ZipInfo) -> str:
    """A member's name, decoded as UTF-8 or GBK when the zip does not flag UTF-8 (Windows zips)."""
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    if raw.isascii():
        return name
    # GBK bytes are often valid UTF-8 too (学校 reads as 'ѧУ'): keep the reading that is most Chinese.
    readings = []
    for rank, encoding in enumerate(("utf-8", "gb18030")):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        wide = [ch for ch in text if ord(ch) > 127]
        chinese = sum("\u3000" <= ch <= "\u303f" or "\u4e00" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in wide)
        readings.append((-chinese / len(wide), rank, text))
    return min(readings)[2] if readings else name


def extract_zip(
    data: bytes, dest: Path, *, source: str, max_bytes: int, max_files: int, lang: str = "en"
) -> tuple[Path, list[str]]:
    """Unpack a zipped Shapefile into ``dest`` with every safety check.

    Parameters
    ----------
    data : bytes
        The zip's contents.
    dest : Path
        An existing, empty folder to unpack into.
    source : str
        The upload's name, for messages.
    max_bytes : int
        Largest total unpacked size, counted from the declared sizes and again
        while unpacking.
    max_files : int
        Most members (folders included).
    lang : {"zh", "en"}, default "en"
        The language of the notes.

    Returns
    -------
    (Path, list of str)
        The resolved folder and notes (operating-system clutter skipped).

    Raises
    ------
    LayerFileError
        If the zip is damaged, too large, holds too many members, absolute
        paths, ``..``, symbolic links, encrypted members, duplicates or files
        that are not part of a Shapefile.
    """
    fix = "zip only the Shapefile's own files (.shp, .shx, .dbf, .prj, .cpg) without folders from elsewhere"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        message = f"Upload {source} is not a readable zip file: {exception_reason(exc)}. Fix: create the zip again ({fix})."
        raise LayerFileError(message, key="imp_e_zip_unreadable", params={"file": source, "why": exception_reason(exc)}) from exc
    notes: list[str] = []
    with archive:
        try:
            infos = archive.infolist()
        except Exception as exc:  # noqa: BLE001 - a damaged central directory
            message = f"Upload {source} is not a readable zip file: {exception_reason(exc)}. Fix: create the zip again."
            raise LayerFileError(message, key="imp_e_zip_unreadable", params={"file": source, "why": exception_reason(exc)}) from exc
        if len(infos) > max_files:
            message = (f"Upload {source} holds {len(infos)} files; at most {max_files} are accepted. "
                       f"Fix: {fix}.")
            raise LayerFileError(message, key="imp_e_zip_many", params={"file": source, "count": len(infos), "max": max_files})
        declared = 0
        plan: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
        seen: set[str] = set()
        skipped: list[str] = []
        for info in infos:
            name = _zip_member_name(info).replace("\\", "/")
            if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
                message = f"Upload {source}: member {name!r} has an absolute path, which is refused. Fix: {fix}."
                raise LayerFileError(message, key="imp_e_zip_absolute", params={"file": source, "member": name})
            parts = PurePosixPath(name).parts
            if ".." in parts:
                message = (f"Upload {source}: member {name!r} points outside the zip's folder ('..'), "
                           f"which is refused. Fix: {fix}.")
                raise LayerFileError(message, key="imp_e_zip_dotdot", params={"file": source, "member": name})
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                message = f"Upload {source}: member {name!r} is a symbolic link, which is refused. Fix: {fix}."
                raise LayerFileError(message, key="imp_e_zip_link", params={"file": source, "member": name})
            if info.flag_bits & 0x1:
                message = f"Upload {source}: member {name!r} is encrypted. Fix: zip the files without a password."
                raise LayerFileError(message, key="imp_e_zip_encrypted", params={"file": source, "member": name})
            if info.is_dir() or not parts:
                continue
            if _ZIP_CLUTTER.search(name):
                skipped.append(name)
                continue
            if not name.lower().endswith(ZIP_MEMBER_EXTENSIONS):
                message = (f"Upload {source}: member {name!r} is not part of a Shapefile; a zip may hold only "
                           f"{', '.join(ZIP_MEMBER_EXTENSIONS)} files. Fix: {fix}.")
                raise LayerFileError(message, key="imp_e_zip_member", params={"file": source, "member": name, "exts": ", ".join(ZIP_MEMBER_EXTENSIONS)})
            key = "/".join(parts).lower()
            if key in seen:
                message = f"Upload {source}: member {name!r} appears twice. Fix: {fix}."
                raise LayerFileError(message, key="imp_e_zip_twice", params={"file": source, "member": name})
            seen.add(key)
            declared += info.file_size
            if declared > max_bytes:
                message = (f"Upload {source} unpacks to more than {max_bytes // (1024 * 1024)} MB, which is refused "
                           f"(a zip bomb or a very large layer). Fix: {fix}; split a very large layer.")
                raise LayerFileError(message, key="imp_e_zip_big", params={"file": source, "mb": max_bytes // (1024 * 1024)})
            plan.append((info, PurePosixPath(*parts)))
        root = dest.resolve()
        written = 0
        for info, rel in plan:
            target = (root / rel).resolve()
            if root not in target.parents:
                message = f"Upload {source}: member {str(rel)!r} points outside the upload folder. Fix: {fix}."
                raise LayerFileError(message, key="imp_e_zip_outside", params={"file": source, "member": str(rel)})
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(info) as member, target.open("wb") as out:
                    while chunk := member.read(1 << 16):
                        written += len(chunk)
                        if written > max_bytes:
                            message = (f"Upload {source} unpacks to more than {max_bytes // (1024 * 1024)} MB, "
                                       f"which is refused (a zip bomb or a very large layer). Fix: {fix}.")
                            raise LayerFileError(message, key="imp_e_zip_big", params={"file": source, "mb": max_bytes // (1024 * 1024)})
                        out.write(chunk)
            except LayerFileError:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
                message = f"Upload {source}: member {str(rel)!r} could not be unpacked: {exception_reason(exc)}. Fix: create the zip again."
                raise LayerFileError(message, key="imp_e_zip_unpack", params={"file": source, "member": str(rel), "why": exception_reason(exc)}) from exc
        if skipped:
            notes.append(t("imp_n_zip_skipped", lang, count=len(skipped), names=", ".join(skipped[:3])))
    return root, notes


def safe_upload(
    filename: str,
    data: bytes,
    *,
    max_bytes: int = UPLOAD_MAX_BYTES,
    allowed: Sequence[str] = UPLOAD_EXTENSIONS,
    max_unzipped_bytes: int = ZIP_MAX_BYTES,
    max_files: int = ZIP_MAX_FILES,
) -> Path:
    """Write an uploaded file into a fresh temporary folder, checking it first.

    Parameters
    ----------
    filename : str
        The name the browser sent; only its last part is used.
    data : bytes
        The file's contents.
    max_bytes : int, default 50 MB
        Largest upload accepted.
    allowed : sequence of str
        Accepted extensions (lower case, with the dot).
    max_unzipped_bytes : int, default 200 MB
        Largest total unpacked size of a ``.zip`` (counted while unpacking,
        so a zip that lies about its sizes is still stopped).
    max_files : int, default 100
        Most members of a ``.zip``.

    Returns
    -------
    Path
        The written file; for a ``.zip`` the folder it was unpacked into.
        Both live in a new folder of the system's temporary directory: remove
        it with :func:`remove_upload`, or use :func:`uploaded`.

    Raises
    ------
    LayerFileError
        If the upload is empty, too large or of another type, or a zip is
        damaged, too large unpacked, holds too many files, absolute paths,
        ``..``, symbolic links, encrypted members or files that are not part
        of a Shapefile.  Nothing is left on disk then.
    """
    name = clean_filename(filename)
    suffix = Path(name).suffix.lower()
    allowed = tuple(a.lower() for a in allowed)
    if suffix not in allowed:
        message = (f"Upload {name or filename!r} has the extension {suffix or '(none)'!r}, which is not accepted. "
                   f"Fix: upload one of {', '.join(allowed)} (a Shapefile as one .zip of its files).")
        raise LayerFileError(message, key="imp_e_upload_ext", params={"file": name or filename, "ext": suffix or "—", "allowed": ", ".join(allowed)})
    if not isinstance(data, (bytes, bytearray, memoryview)):
        message = f"Upload {name}: expected the file's bytes, got {type(data).__name__}."
        raise LayerFileError(message, key="imp_e_upload_type", params={"file": name, "got": type(data).__name__})
    data = bytes(data)
    if not data:
        message = f"Upload {name} is empty (0 bytes). Fix: choose the file again; check it opens on your computer."
        raise LayerFileError(message, key="imp_e_upload_empty", params={"file": name})
    if len(data) > max_bytes:
        message = (f"Upload {name} is {len(data) / 1048576:.1f} MB; at most {max_bytes / 1048576:.0f} MB are "
                   "accepted. Fix: keep only the school or village points and the columns needed, or zip a Shapefile.")
        raise LayerFileError(message, key="imp_e_upload_big", params={"file": name, "mb": f"{len(data) / 1048576:.1f}", "max": f"{max_bytes / 1048576:.0f}"})
    root = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX))
    try:
        if suffix == ".zip":
            folder = root / "unzipped"
            folder.mkdir()
            extract_zip(data, folder, source=name, max_bytes=max_unzipped_bytes, max_files=max_files)
            return folder
        path = root / name
        path.write_bytes(data)
        return path
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def remove_upload(path: str | os.PathLike[str]) -> None:
    """Remove the temporary folder :func:`safe_upload` made for ``path`` (nothing else).

    Parameters
    ----------
    path : str or path-like
        A path returned by :func:`safe_upload` (or inside its folder).

    Raises
    ------
    ValueError
        If ``path`` is not inside a folder made by :func:`safe_upload`.
    """
    path = Path(path)
    temp = Path(tempfile.gettempdir()).resolve()
    for parent in (path, *path.parents):
        if parent.name.startswith(UPLOAD_PREFIX) and parent.resolve().parent == temp:
            shutil.rmtree(parent, ignore_errors=True)
            return
    message = f"{path} is not an upload folder made by safe_upload; nothing was removed."
    raise ValueError(message)


@contextlib.contextmanager
def uploaded(filename: str, data: bytes, **kwargs: Any) -> Iterator[Path]:
    r""":func:`safe_upload` as a context manager: the temporary folder is removed on exit.

    Parameters
    ----------
    filename : str
        The name the browser sent.
    data : bytes
        The file's contents.
    **kwargs
        The limits of :func:`safe_upload`.

    Yields
    ------
    Path
        The written file, or the folder a ``.zip`` was unpacked into.

    Examples
    --------
    >>> with uploaded("学校.csv", "学校名称\n".encode()) as path:
    ...     path.name
    '学校.csv'
    """
    path = safe_upload(filename, data, **kwargs)
    try:
        yield path
    finally:
        remove_upload(path)
