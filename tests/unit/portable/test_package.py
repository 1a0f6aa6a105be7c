"""Opening portable folders and zips: eKuiper's required files, and nothing escapes the folder."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import pytest

from kuiper_dev.errors import PortableError
from kuiper_dev.portable import open_portable, package, write_portable

MANIFEST = {"version": "1", "language": "python", "executable": "kit.py", "sources": ["tick"]}
GOOD = {
    "kit.json": json.dumps(MANIFEST),
    "kit.py": "print('hi')\n",
    "sources/tick.yaml": "default: {}\n",
    "sources/tick.json": "{}",
}


def _zip(path: Path, files: dict[str, str], *, links: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


def _folder(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_zip_unpacks_into_target(tmp_path: Path) -> None:
    z = _zip(tmp_path / "kit.zip", GOOD)
    folder = open_portable(z, tmp_path / "out")
    assert folder.path == tmp_path / "out" / "kit"
    assert sorted(p.name for p in folder.path.rglob("*") if p.is_file()) == sorted(
        Path(n).name for n in GOOD
    )
    assert folder.manifest.sources == ("tick",)
    with pytest.raises(PortableError, match="already exists"):
        open_portable(z, tmp_path / "out")


def test_zip_without_target_goes_to_a_temporary_folder(tmp_path: Path) -> None:
    with open_portable(_zip(tmp_path / "kit.zip", GOOD)) as folder:
        where = folder.path
        assert (where / "kit.py").read_text() == "print('hi')\n"
    assert not where.exists() and not where.parent.exists()


def test_folder_is_checked_in_place(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "kit", GOOD)
    assert open_portable(folder).path == folder
    (folder / "kit.py").unlink()
    with pytest.raises(PortableError, match="missing kit.py"):
        open_portable(folder)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("../evil.py", "outside the plugin folder"),
        ("sub/../../evil.py", "outside the plugin folder"),
        ("/tmp/evil.py", "absolute path"),
        ("C:/evil.py", "absolute path"),
        ("..\\evil.py", "outside the plugin folder"),
    ],
)
def test_escaping_entries_refused_and_nothing_written(
    tmp_path: Path, entry: str, message: str
) -> None:
    z = _zip(tmp_path / "kit.zip", {**GOOD, entry: "x"})
    out = tmp_path / "out"
    with pytest.raises(PortableError, match=message):
        open_portable(z, out)
    assert not out.exists()
    assert not (tmp_path / "evil.py").exists()


def test_links_refused(tmp_path: Path) -> None:
    z = _zip(tmp_path / "kit.zip", GOOD, links=("passwd",))
    with pytest.raises(PortableError, match="symbolic link"):
        open_portable(z, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ("kit.json", r"missing or invalid json file kit\.json, found 3 files"),
        ("kit.py", "missing kit.py"),
        ("sources/tick.yaml", "missing sources/tick.yaml"),
    ],
)
def test_required_files(tmp_path: Path, drop: str, message: str) -> None:
    files = {k: v for k, v in GOOD.items() if k != drop}
    with pytest.raises(PortableError, match=message):
        open_portable(_zip(tmp_path / "kit.zip", files), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_oversized_and_broken_zips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    z = _zip(tmp_path / "kit.zip", GOOD)
    monkeypatch.setattr(package, "MAX_UNPACKED", 10)
    with pytest.raises(PortableError, match="more than 10"):
        open_portable(z, tmp_path / "out")
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    with pytest.raises(PortableError, match="not a readable zip"):
        open_portable(tmp_path / "bad.zip")
    with pytest.raises(PortableError, match="no such folder or zip"):
        open_portable(tmp_path / "nothing.zip")
    with pytest.raises(PortableError, match="naming rule"):
        open_portable(_zip(tmp_path / "my kit.zip", GOOD))


def test_write_portable_round_trips(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "kit", {**GOOD, "__pycache__/kit.pyc": "x"})
    z = write_portable(folder, tmp_path / "dist")
    with zipfile.ZipFile(z) as zf:
        assert sorted(zf.namelist()) == sorted(GOOD)
    with pytest.raises(PortableError, match="already exists"):
        write_portable(folder, tmp_path / "dist")
    (folder / "kit.py").write_text("print('v2')\n")
    write_portable(folder, tmp_path / "dist", force=True)
    with open_portable(z) as back:
        assert (back.path / "kit.py").read_text() == "print('v2')\n"
    assert [p.name for p in (tmp_path / "dist").iterdir()] == ["kit.zip"]
