"""tools/fetch_voice_sdk.py: integrity pin checked, only the SDK file extracted; no network here."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from tools import fetch_voice_sdk as tool


def tarball(members: dict[str, bytes], symlink: str | None = None) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if symlink:
            info = tarfile.TarInfo(symlink)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            archive.addfile(info)
    return out.getvalue()


def test_integrity_must_match_the_pin() -> None:
    data = tarball({tool.MEMBER: b"window.Twilio = {};"})
    tool.verify_integrity(data, tool.sri_sha512(data))
    with pytest.raises(tool.FetchError, match="sha512"):
        tool.verify_integrity(data + b"x", tool.sri_sha512(data))
    with pytest.raises(tool.FetchError, match="only sha512"):
        tool.verify_integrity(data, "sha1-abc")


def test_only_the_sdk_file_is_extracted() -> None:
    data = tarball({tool.MEMBER: b"window.Twilio = {};", "package/evil.js": b"nope"})
    assert tool.extract_sdk(data) == b"window.Twilio = {};"
    with pytest.raises(tool.FetchError, match="not in the package"):
        tool.extract_sdk(tarball({"package/other.js": b""}))
    with pytest.raises(tool.FetchError, match="regular file"):
        tool.extract_sdk(tarball({}, symlink=tool.MEMBER))


def test_install_writes_the_file_and_a_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tool.install(b"sdk", tmp_path / "vendor")
    assert target.read_bytes() == b"sdk"
    assert target.stat().st_mode & 0o444 == 0o444
    assert tool.up_to_date(tmp_path / "vendor")
    fetched: list[str] = []
    monkeypatch.setattr(tool, "registry_dist", lambda *a: fetched.append("asked") or {})
    assert tool.main(["--dest", str(tmp_path / "vendor")]) == 0
    assert fetched == []  # the pinned version is there: the registry is not asked


def test_a_registry_naming_another_integrity_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        tool,
        "registry_dist",
        lambda *a: {"tarball": "https://example.invalid/x.tgz", "integrity": "sha512-AAAA"},
    )
    monkeypatch.setattr(tool, "download", lambda url: pytest.fail("must not download"))
    assert tool.main(["--dest", str(tmp_path / "v")]) == 1
    assert not (tmp_path / "v" / "twilio.min.js").exists()
