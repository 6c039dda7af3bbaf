"""CSV bytes to UTF-8 by their byte-order mark, a chunk at a time: any split of the input gives the same
text, BOM-less 8-bit files pass untouched, and BOM-less UTF-16 is refused rather than misread."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.csv_encoding import EncodingError, utf8_chunks

ENCODINGS = {
    "utf-8-sig": b"",
    "utf-16": b"",
    "utf-32": b"",
    "utf-16-be": b"\xfe\xff",
    "utf-32-be": b"\x00\x00\xfe\xff",
}


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    return [data[a:b] for a, b in zip(points, points[1:], strict=False)]


@given(
    text=st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
    encoding=st.sampled_from(sorted(ENCODINGS)),
    cuts=st.lists(st.integers(min_value=0), max_size=8),
)
def test_any_split_of_a_bom_file_reads_as_its_text(text: str, encoding: str, cuts: list[int]) -> None:
    data = ENCODINGS[encoding] + ("phone\n" + text).encode(encoding)
    assert b"".join(utf8_chunks(split(data, cuts))) == ("phone\n" + text).encode("utf-8")


def test_eight_bit_files_pass_as_they_are() -> None:
    latin = "phone,name\n202-555-0100,Zoë\n".encode("latin-1")
    assert list(utf8_chunks([latin[:3], latin[3:]])) == [latin]
    assert list(utf8_chunks([])) == []


def test_utf16_without_its_mark_is_refused() -> None:
    with pytest.raises(EncodingError, match="without a byte-order mark"):
        list(utf8_chunks(["phone\n202-555-0100\n".encode("utf-16-le")]))
