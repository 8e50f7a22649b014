"""A plan document as it arrives, scans included: read it, or recognise it (OCR) once.

``read_plan_document`` reads .txt, .docx and .pdf with a text layer directly. A scanned
PDF or a photo is recognised by ``calendars.ocr``; the text is kept in the store
(``scan_texts``, keyed by the SHA-256 of the file) so that the import after a preview, or
a re-import of the same scan, reads the kept text instead of recognising it again.

OCR takes seconds per page: the CLI shows progress per page, and the web server calls
``read_plan_document_async``, which runs it in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from calendars import ocr
from calendars.plan_reader import Document, NeedsOcr, document_from_ocr, read_document
from scheduler.store.db import Database
from scheduler.store.models import ScanText

Progress = Callable[[int, int], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _cache_ready(db: Database | None) -> bool:
    """The kept texts are used only in an initialised store; without one, OCR still works."""
    if db is None:
        return False
    try:
        return inspect(db.engine).has_table(ScanText.__tablename__)
    except SQLAlchemyError:
        return False


def cached_text(db: Database | None, sha256: str) -> ScanText | None:
    """The text kept for a scan with these bytes, if any."""
    if not _cache_ready(db):
        return None
    assert db is not None
    with db.unit_of_work() as session:
        return session.get(ScanText, sha256)


def _keep(
    db: Database | None, sha256: str, name: str, result: ocr.OcrResult, now: datetime
) -> None:
    if not _cache_ready(db):
        return
    assert db is not None
    with db.unit_of_work() as session:
        if session.get(ScanText, sha256) is None:
            session.add(
                ScanText(
                    sha256=sha256,
                    source_name=name,
                    text=result.text,
                    pages=result.pages,
                    milliseconds=round(result.seconds * 1000),
                    created_at=now,
                )
            )


def read_plan_document(
    path: Path | str,
    db: Database | None,
    now: datetime,
    progress: Progress | None = None,
    *,
    max_pages: int = ocr.MAX_OCR_PAGES,
) -> Document:
    """Read ``path``; a scan or photo is recognised, or its kept text reused.

    Raises ``DocumentError`` (``OcrError``, ``OcrUnavailable``) with one clear line.
    """
    path = Path(path)
    try:
        return read_document(path)
    except NeedsOcr:
        pass
    sha256 = file_sha256(path)
    kept = cached_text(db, sha256)
    if kept is not None:
        return document_from_ocr(path.name, kept.text, sha256, kept.pages)
    result = ocr.recognise(path, progress, max_pages=max_pages)
    document = document_from_ocr(path.name, result.text, sha256, result.pages)
    _keep(db, sha256, path.name, result, now)
    return document


async def read_plan_document_async(
    path: Path | str,
    db: Database | None,
    now: datetime,
    progress: Progress | None = None,
    *,
    max_pages: int = ocr.MAX_OCR_PAGES,
) -> Document:
    """``read_plan_document`` in a worker thread: the event loop keeps serving meanwhile.

    ``progress`` is called from that thread; a web page would store the figures where the
    page polls them (a dict, say), not touch the loop's objects.
    """
    return await asyncio.to_thread(read_plan_document, path, db, now, progress, max_pages=max_pages)
