"""A CSV's bytes as UTF-8, whatever Unicode encoding its byte-order mark names (pure, streaming).

Spreadsheets save "Unicode text" as UTF-16 with a BOM (Excel's "Unicode Text", Numbers' and LibreOffice's
UTF-16 CSV). Read as UTF-8 such a file is a NUL between every letter, so its `phone` header was not found
and the organizer was told the file had no phone column. A BOM says the encoding for certain: UTF-32 and
UTF-16 (either byte order) are decoded a chunk at a time and handed on as UTF-8, UTF-8's BOM is dropped;
a file without one is passed on as it is (contacts.py reads it as UTF-8, else Latin-1), unless it is plainly
UTF-16 or UTF-32 that lost its BOM (NUL bytes all through its start): that is refused, saying so, rather
than guessed at.
"""

from __future__ import annotations

import codecs
import itertools
from collections.abc import Iterable, Iterator

# Longest first: UTF-32-LE's BOM starts with UTF-16-LE's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
_SNIFF = 256  # bytes of a BOM-less file's start looked at for NULs


class EncodingError(ValueError):
    """The bytes cannot be read in the encoding they declare, or declare none and are not 8-bit text."""


def utf8_chunks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The same text as UTF-8 byte chunks, without a BOM. Raises EncodingError (lazily, as it reads)."""
    rest = iter(chunks)
    head = b""
    for chunk in rest:
        head += chunk
        if len(head) >= _SNIFF:
            break
    for bom, codec, name in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            if codec == "utf-8":
                break
            yield from _transcode(itertools.chain([head], rest), codec, name)
            return
    else:
        if _looks_wide(head[:_SNIFF]):
            raise EncodingError(
                "it looks like UTF-16 or UTF-32 text without a byte-order mark; save it as CSV UTF-8"
            )
    if head:
        yield head
    yield from rest


def _transcode(chunks: Iterable[bytes], codec: str, name: str) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    read = 0
    try:
        for chunk in chunks:
            text = decoder.decode(chunk)
            read += len(chunk)
            if text:
                yield text.encode("utf-8")
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise EncodingError(
            f"its byte-order mark says {name}, but it is not {name} text near byte {read + exc.start + 1}"
        ) from None
    if tail:
        yield tail.encode("utf-8")


def _looks_wide(start: bytes) -> bool:
    """UTF-16/32 of mostly ASCII text: a NUL in at least a quarter of the bytes. 8-bit text has none."""
    return len(start) >= 4 and start.count(0) * 4 >= len(start)
