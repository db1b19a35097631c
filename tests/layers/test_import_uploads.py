"""Tests of layers.importing.uploads: size limits, zip safety and temporary folders of uploads."""
from __future__ import annotations

import io
import stat
import tempfile
import zipfile
from pathlib import Path

import pytest

from layers import LayerFileError
from layers.importing import (
    list_layers,
    load_table,
    remove_upload,
    safe_upload,
    uploaded,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


# --------------------------------------------------------------------------- uploads


def _zip_bytes(members: dict[str, bytes], *, modes: dict[str, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (modes or {}).get(name, 0o100644) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _encrypted_zip() -> bytes:
    """A zip whose member is flagged encrypted (zipfile cannot write one, so the flag is set by hand)."""
    data = bytearray(_zip_bytes({"a.shp": b"x"}))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at] |= 0x1
    return bytes(data)


def _upload_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith("junheng-upload-")}


def test_safe_upload_writes_into_a_fresh_folder_and_cleans_up():
    before = _upload_dirs()
    with uploaded("../../etc/学校.csv", b"a,b\n") as path:
        assert path.name == "学校.csv" and path.read_bytes() == b"a,b\n"
        assert path.parent.name.startswith("junheng-upload-")
        folder = path.parent
    assert not folder.exists()
    path = safe_upload("x.zip", (FIXTURES / "schools_gbk_cpg.zip").read_bytes())
    try:
        assert path.is_dir() and sorted(p.suffix for p in path.iterdir()) == [".cpg", ".dbf", ".prj", ".shp", ".shx"]
    finally:
        remove_upload(path)
    assert not path.exists()
    assert _upload_dirs() == before
    with pytest.raises(ValueError):
        remove_upload(FIXTURES)


@pytest.mark.parametrize(("filename", "data", "kwargs", "match"), [
    ("a.exe", b"MZ", {}, "not accepted"),
    ("noext", b"x", {}, "not accepted"),
    ("a.csv", b"", {}, "empty"),
    ("a.csv", b"x" * 2000, {"max_bytes": 1000}, "at most"),
    ("a.zip", b"not a zip", {}, "not a readable zip"),
    ("a.zip", _zip_bytes({"../evil.shp": b"x"}), {}, r"outside the zip's folder \('..'\)"),
    ("a.zip", _zip_bytes({"ok/../../evil.dbf": b"x"}), {}, r"\('..'\)"),
    ("a.zip", _zip_bytes({"/etc/evil.shp": b"x"}), {}, "absolute path"),
    ("a.zip", _zip_bytes({"C:/evil.shp": b"x"}), {}, "absolute path"),
    ("a.zip", _zip_bytes({"link.shp": b"/etc/passwd"}, modes={"link.shp": stat.S_IFLNK | 0o777}), {}, "symbolic link"),
    ("a.zip", _zip_bytes({"a.shp": b"x", "run.exe": b"MZ"}), {}, "not part of a Shapefile"),
    ("a.zip", _zip_bytes({f"f{i}.xml": b"x" for i in range(101)}), {}, "holds 101 files; at most 100"),
    ("a.zip", _zip_bytes({"a.shp": b"x", "A.SHP": b"y"}), {}, "appears twice"),
    ("a.zip", _encrypted_zip(), {}, "encrypted"),
    ("a.zip", _zip_bytes({"bomb.dbf": bytes(3_000_000)}), {"max_unzipped_bytes": 1_000_000}, "unpacks to more than"),
])
def test_safe_upload_refuses(filename, data, kwargs, match):
    before = _upload_dirs()
    with pytest.raises(LayerFileError, match=match):
        safe_upload(filename, data, **kwargs)
    assert _upload_dirs() == before  # nothing left behind


def test_zip_bomb_of_the_default_size_is_refused_quickly():
    bomb = _zip_bytes({"bomb.dbf": bytes(ZIP_DEFAULT_BOMB)})
    assert len(bomb) < 1_000_000  # a small upload ...
    with pytest.raises(LayerFileError, match="unpacks to more than 200 MB"):
        safe_upload("a.zip", bomb)  # ... refused from its declared size, before unpacking


ZIP_DEFAULT_BOMB = 201 * 1024 * 1024


def test_zip_clutter_is_skipped_and_folders_are_fine():
    shp = zipfile.ZipFile(FIXTURES / "schools_gbk_cpg.zip")
    members = {f"学校/{n}": shp.read(n) for n in shp.namelist()}
    members["__MACOSX/学校/._学校.shp"] = b"mac"
    members["学校/.DS_Store"] = b"mac"
    result = load_table(_zip_bytes(members), kind="schools", filename="学校.zip")
    assert result.ok and len(result.valid) == 4
    assert any("操作系统" in note for note in result.notes), result.notes  # the note in the import's language (zh)
    english = load_table(_zip_bytes(members), kind="schools", filename="学校.zip", lang="en")
    assert any("operating-system files" in note for note in english.notes), english.notes


def test_zip_member_names_in_gbk_from_windows():
    """Windows zip tools write GBK names without the UTF-8 flag; they are decoded, not garbled."""
    shp = zipfile.ZipFile(FIXTURES / "schools_gbk_cpg.zip")
    placeholder = {n: "x" * len("学校".encode("gbk")) + n[len("学校"):] for n in shp.namelist()}
    data = _zip_bytes({placeholder[n]: shp.read(n) for n in shp.namelist()})
    for name, fake in placeholder.items():
        data = data.replace(fake.encode("ascii"), name.encode("gbk"))
    assert not zipfile.ZipFile(io.BytesIO(data)).infolist()[0].flag_bits & 0x800
    assert list_layers(data, filename="学校.zip") == ["学校"]
    assert load_table(data, kind="schools", filename="学校.zip").ok


def test_zip_without_shapefile_or_with_several():
    with pytest.raises(LayerFileError, match="holds no .shp"):
        load_table(_zip_bytes({"a.prj": b"x"}), kind="schools", filename="a.zip")
    shp = zipfile.ZipFile(FIXTURES / "schools_gbk_cpg.zip")
    members = {**{f"a/{n}": shp.read(n) for n in shp.namelist()}, **{f"b/{n}": shp.read(n) for n in shp.namelist()}}
    with pytest.raises(LayerFileError, match="several Shapefiles"):
        load_table(_zip_bytes(members), kind="schools", filename="a.zip")
    assert load_table(_zip_bytes(members), kind="schools", filename="a.zip", layer="b/学校").ok
    lacking = {n: shp.read(n) for n in shp.namelist() if not n.endswith(".dbf")}
    with pytest.raises(LayerFileError, match="lacks its .dbf"):
        load_table(_zip_bytes(lacking), kind="schools", filename="a.zip")


