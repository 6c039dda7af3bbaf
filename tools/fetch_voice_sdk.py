"""Fetch the Twilio Voice JavaScript SDK into web/static/vendor/twilio.min.js (never committed).

The SDK is no longer on a CDN; it is published to the npm registry as `@twilio/voice-sdk`. This pins one
version and its `dist.integrity` (sha512, Subresource-Integrity format), checks that the registry's metadata
still names that integrity, downloads the tarball, checks its sha512 against the pin, and extracts only
`package/dist/twilio.min.js`. Any mismatch stops with an error and writes nothing.

Usage: python tools/fetch_voice_sdk.py [--force] [--dest DIR]
To move to a new version: `npm view @twilio/voice-sdk@<version> dist.integrity`, then update both pins.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

PACKAGE = "@twilio/voice-sdk"
VERSION = "2.18.5"
INTEGRITY = "sha512-2/tw1IDAIn7j6yFDOln8p93v3aHIxNIN93JwL98cHIlbkSNeU/Jt9zGM/0TvDpNjo+k88lvAew4jgOjKlc9/KA=="
REGISTRY = "https://registry.npmjs.org"
MEMBER = "package/dist/twilio.min.js"
MAX_TARBALL = 50 * 1024 * 1024
MAX_FILE = 10 * 1024 * 1024
DEFAULT_DEST = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor"


class FetchError(Exception):
    pass


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def verify_integrity(data: bytes, integrity: str) -> None:
    """Raises FetchError unless `data` has the sha512 that the SRI string `integrity` names."""
    if not integrity.startswith("sha512-"):
        raise FetchError(f"only sha512 integrity is accepted, not {integrity[:16]!r}")
    if sri_sha512(data) != integrity:
        raise FetchError(f"the tarball's sha512 is {sri_sha512(data)}, not the pinned {integrity}")


def extract_sdk(tarball: bytes, member: str = MEMBER) -> bytes:
    """The bytes of `member` (a regular file, within the size cap) from a gzipped npm tarball."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        try:
            info = archive.getmember(member)
        except KeyError:
            raise FetchError(f"{member} is not in the package") from None
        if not info.isreg() or info.size > MAX_FILE:
            raise FetchError(f"{member} is not a regular file of at most {MAX_FILE} bytes")
        handle = archive.extractfile(info)
        assert handle is not None
        return handle.read()


def registry_dist(package: str, version: str) -> dict[str, str]:
    """`dist` of one version: from `npm view` when npm is installed, else from the registry's JSON."""
    npm = shutil.which("npm")
    if npm:
        out = subprocess.run(
            [npm, "view", f"{package}@{version}", "dist", "--json"],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
        dist = json.loads(out)
    else:
        url = f"{REGISTRY}/{package.replace('/', '%2f')}/{version}"
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - fixed https URL
            dist = json.load(response)["dist"]
    if not isinstance(dist, dict) or not isinstance(dist.get("tarball"), str):
        raise FetchError("the registry's metadata has no tarball URL")
    return {"tarball": dist["tarball"], "integrity": str(dist.get("integrity", ""))}


def download(url: str) -> bytes:
    if not url.startswith("https://"):
        raise FetchError(f"refusing a tarball URL that is not https: {url}")
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - https only, checked above
        data: bytes = response.read(MAX_TARBALL + 1)
    if len(data) > MAX_TARBALL:
        raise FetchError("the tarball is larger than expected")
    return data


def install(content: bytes, dest: Path) -> Path:
    """Writes twilio.min.js (atomically) and a stamp naming the version and integrity it came from."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / "twilio.min.js"
    fd, tmp = tempfile.mkstemp(dir=dest, prefix=".twilio-")
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; the web server must be able to read it
    os.replace(tmp, target)
    (dest / "twilio.min.js.version").write_text(f"{PACKAGE}@{VERSION} {INTEGRITY}\n")
    return target


def up_to_date(dest: Path) -> bool:
    stamp = dest / "twilio.min.js.version"
    return (
        (dest / "twilio.min.js").is_file()
        and stamp.is_file()
        and stamp.read_text().split()
        == [
            f"{PACKAGE}@{VERSION}",
            INTEGRITY,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST)
    parser.add_argument("--force", action="store_true", help="fetch even when the pinned version is there")
    args = parser.parse_args(argv)
    if not args.force and up_to_date(args.dest):
        print(f"{PACKAGE}@{VERSION} is already in {args.dest}")
        return 0
    try:
        dist = registry_dist(PACKAGE, VERSION)
        if dist["integrity"] != INTEGRITY:
            raise FetchError(
                f"the registry names integrity {dist['integrity']!r}, not the pinned {INTEGRITY!r}"
            )
        tarball = download(dist["tarball"])
        verify_integrity(tarball, INTEGRITY)
        target = install(extract_sdk(tarball), args.dest)
    except (FetchError, OSError, subprocess.SubprocessError, ValueError) as exc:
        print(f"fetch_voice_sdk: {exc}", file=sys.stderr)
        return 1
    print(f"{PACKAGE}@{VERSION} verified ({INTEGRITY[:23]}...) -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
