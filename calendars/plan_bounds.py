"""Bounds on reading a plan document, so that no file can exhaust memory or the store.

A .docx is a zip: each member is checked by its declared uncompressed size before
anything is inflated, then inflated in small chunks into a checked copy that python-docx
reads (a member that lies about its size is caught after a chunk, not after 2 GB). A PDF is
bounded by pages and by the text it yields; the text of every format by its length.
Text files are decoded here too: UTF-8, UTF-16/32 with a byte-order mark, and
Windows-1258 (the old Vietnamese code page); another encoding is refused by name.
"""

from __future__ import annotations

import contextlib
import io
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path

# Unpacked, a Word plan is a few hundred kilobytes of XML and perhaps some pictures.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_PDF_PAGES = 300
_CHUNK = 64 * 1024
# All the text of a document: a yearly plan is some 100 kB of text.
MAX_TEXT_CHARS = 5_000_000

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)


class BoundsError(ValueError):
    """A document beyond the bounds; the message is Vietnamese, for the user."""


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB".replace(",", ".")


def docx_package(path: Path) -> io.BytesIO:
    """A checked copy of a .docx, for python-docx to read instead of the file itself.

    Each member is refused by its declared size first, then inflated in small chunks and
    counted, so that a member that inflates beyond what it declares (which ``zipfile``
    would otherwise inflate in one 2 GB step before noticing) costs nothing. The copy is
    stored uncompressed: at most MAX_UNPACKED_BYTES.
    """
    try:
        with zipfile.ZipFile(path) as package:
            members = package.infolist()
            _check_declared(path, members)
            copy = io.BytesIO()
            with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as out:
                total = 0
                for member in members:
                    if member.is_dir():
                        continue
                    data = bytearray()
                    with package.open(member) as stream:
                        while chunk := stream.read(_CHUNK):
                            data += chunk
                            total += len(chunk)
                            if len(data) > member.file_size or total > MAX_UNPACKED_BYTES:
                                raise BoundsError(_too_big(path, member.filename, total))
                    out.writestr(member.filename, bytes(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        if isinstance(exc, BoundsError):
            raise
        raise BoundsError(f"Tệp Word {path.name} bị hỏng hoặc không phải .docx") from exc
    except NotImplementedError as exc:  # a compression method zipfile does not know
        raise BoundsError(f"Tệp Word {path.name} bị hỏng hoặc không phải .docx") from exc
    copy.seek(0)
    return copy


def _too_big(path: Path, member: str, size: int) -> str:
    return (
        f"Tệp Word {path.name} giải nén ra quá lớn (đến phần {member} đã {_mb(size)}; giới "
        f"hạn {_mb(MAX_UNPACKED_BYTES)}): không phải một kế hoạch bình thường"
    )


def _check_declared(path: Path, members: list[zipfile.ZipInfo]) -> None:
    total = 0
    for member in members:
        total += member.file_size
        if total > MAX_UNPACKED_BYTES:
            raise BoundsError(_too_big(path, member.filename, total))


def check_pdf_pages(name: str, pages: int) -> None:
    if pages > MAX_PDF_PAGES:
        raise BoundsError(
            f"Tệp PDF {name} có {pages} trang, quá giới hạn {MAX_PDF_PAGES} trang của một kế hoạch"
        )


def check_text_size(name: str, chars: int) -> None:
    if chars > MAX_TEXT_CHARS:
        raise BoundsError(
            f"Tệp {name} có quá nhiều chữ ({chars:,} ký tự; giới hạn {MAX_TEXT_CHARS:,})".replace(
                ",", "."
            )
        )


@contextlib.contextmanager
def quiet_pypdf() -> Iterator[list[str]]:
    """Keep pypdf's warnings (a damaged cross-reference table...) off the user's stderr.

    They are collected instead, for whoever wants to log them.
    """
    logger = logging.getLogger("pypdf")
    collected: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            collected.append(record.getMessage())

    handler = _Collect(logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield collected
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def decode_text(data: bytes, name: str) -> str:
    """The text of a .txt plan: UTF-8, UTF-16/32 with a BOM, or Windows-1258."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise BoundsError(
                    f"Tệp {name} bắt đầu bằng dấu {label} nhưng không đọc được theo {label} "
                    f"(byte lỗi ở vị trí {exc.start})"
                ) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    import charset_normalizer

    best = charset_normalizer.from_bytes(data[:200_000]).best()
    encoding = best.encoding if best is not None else None
    if encoding is not None and encoding.startswith(("utf_16", "utf_32")):
        raise BoundsError(
            f"Tệp {name} là văn bản {encoding.upper().replace('_', '-')} không có dấu BOM; "
            "hãy lưu lại dưới dạng UTF-8 rồi nhập lại"
        ) from utf8_error
    if encoding is None or b"\x00" in data:
        raise BoundsError(f"Tệp {name} không phải văn bản (có vẻ là tệp nhị phân)") from utf8_error
    if encoding in ("cp1258", "windows_1258"):
        try:
            return data.decode("cp1258")
        except UnicodeDecodeError:
            pass
    raise BoundsError(
        f"Tệp {name} không phải văn bản UTF-8 (byte lỗi ở vị trí {utf8_error.start}; có vẻ là "
        f"bảng mã {encoding}); hãy lưu lại dưới dạng UTF-8 rồi nhập lại"
    ) from utf8_error
