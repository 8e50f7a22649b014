"""Malformed plan documents, generated for the tests: bombs, control characters, wrong years.

Everything starts from the bundled 2024 plan (its text, or slices of it) so that a case
differs from a good document in exactly one way.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "data" / "plans" / "2024_100-KH-BDVTU.txt"

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def month_spans(text: str) -> list[tuple[int, int, int]]:
    """(month, first line, end line) of each month block of the seed's programme."""
    lines = text.split("\n")
    starts = [
        (i, int(m[1]))
        for i, line in enumerate(lines)
        if (m := re.match(r"^\s*\d+\.\s*Tháng (\d+)", line))
    ]
    end_of_programme = next(
        i for i, line in enumerate(lines) if i > starts[-1][0] and line.startswith("Trên đây")
    )
    bounds = [s for s, _ in starts[1:]] + [end_of_programme]
    return [(month, s, e) for (s, month), e in zip(starts, bounds, strict=True)]


def only_months(text: str, months: set[int]) -> str:
    """The seed with the programme cut down to ``months`` (header and closing kept)."""
    lines = text.split("\n")
    spans = month_spans(text)
    first, last = spans[0][1], spans[-1][2]
    kept = [line for month, s, e in spans if month in months for line in lines[s:e]]
    return "\n".join(lines[:first] + kept + lines[last:])


def encode_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: precomposed letters where the code page has them, else base
    letter plus combining tone marks, as Vietnamese Windows software wrote them."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        for i, mark in enumerate(marks):
            try:
                head = unicodedata.normalize("NFC", base + mark).encode("cp1258")
                out += head + (marks[:i] + marks[i + 1 :]).encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            out += decomposed.encode("cp1258")
    return bytes(out)


def _local_header(name: bytes, crc: int, csize: int, usize: int) -> bytes:
    return struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, csize, usize, len(name), 0
    )


def _central_header(name: bytes, crc: int, csize: int, usize: int, offset: int) -> bytes:
    return struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        20,
        20,
        0,
        8,
        0,
        0x21,
        crc,
        csize,
        usize,
        len(name),
        0,
        0,
        0,
        0,
        0,
        offset,
    )


def write_docx_bomb(path: Path, inflated: int = 2 * 1024**3, declared: int | None = None) -> Path:
    """A valid-looking .docx whose ``word/document.xml`` inflates to ``inflated`` bytes.

    The deflate stream repeats one fully flushed block, so a 2 GiB member costs a couple
    of megabytes and about a second to write. ``declared`` (default: the truth) is the
    uncompressed size the zip headers claim: a bomb may lie about it.
    """
    head = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>'
    )
    tail = "</w:t></w:r></w:p></w:body></w:document>"
    unit = b"Th\xc3\xa1ng 5 " * (1 << 17)  # 1 MiB of text
    middle_count = max(1, (inflated - len(head) - len(tail)) // len(unit))
    body_compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    block = body_compressor.compress(unit) + body_compressor.flush(zlib.Z_FULL_FLUSH)
    start = zlib.compressobj(1, zlib.DEFLATED, -15)
    first = start.compress(head.encode()) + start.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(1, zlib.DEFLATED, -15)
    last = end.compress(tail.encode()) + end.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head.encode())
    for _ in range(middle_count):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(tail.encode(), crc)
    size = len(head) + middle_count * len(unit) + len(tail)
    compressed_size = len(first) + middle_count * len(block) + len(last)
    claimed = size if declared is None else declared

    entries: list[tuple[bytes, int, int, int, int]] = []
    with path.open("wb") as out:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS)):
            raw = text.encode()
            packed = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = packed.compress(raw) + packed.flush()
            offset = out.tell()
            crc_small = zlib.crc32(raw)
            out.write(_local_header(name.encode(), crc_small, len(data), len(raw)))
            out.write(name.encode() + data)
            entries.append((name.encode(), crc_small, len(data), len(raw), offset))
        name = b"word/document.xml"
        offset = out.tell()
        out.write(_local_header(name, crc, compressed_size, claimed) + name)
        out.write(first)
        for _ in range(middle_count):
            out.write(block)
        out.write(last)
        entries.append((name, crc, compressed_size, claimed, offset))
        directory = out.tell()
        for name_, crc_, csize, usize, off in entries:
            out.write(_central_header(name_, crc_, csize, usize, off) + name_)
        length = out.tell() - directory
        out.write(
            struct.pack(
                "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), length, directory, 0
            )
        )
    return path
