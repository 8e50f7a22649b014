"""The letterhead and signature of a report: ``[report]`` in lichct.toml over the bundled default.

The bundled ``data/report.toml`` holds the Tây Ninh board's values; another board sets its
own in ``lichct.toml`` and every key it leaves out keeps the bundled value.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lichct_data import resource

from scheduler.errors import InvalidInput

_TEXT_KEYS = (
    "superior",
    "issuer",
    "issuer_name",
    "party",
    "place",
    "number_suffix",
    "signer_on_behalf",
    "signer_title",
    "signer_name",
    "template",
)


@dataclass(frozen=True)
class ReportSettings:
    superior: str
    issuer: str
    issuer_name: str
    party: str
    place: str
    number_suffix: str
    signer_on_behalf: str
    signer_title: str
    signer_name: str
    recipients: tuple[str, ...]
    template: str = ""

    @property
    def template_path(self) -> Path | None:
        return Path(self.template).expanduser() if self.template else None


def _bundled() -> dict[str, Any]:
    document = tomllib.loads(resource("report.toml").read_text(encoding="utf-8"))
    return dict(document["report"])


def load_report_settings(extra: Mapping[str, Any] | None = None) -> ReportSettings:
    """``[report]`` of lichct.toml (``Settings.extra``) over the bundled values."""
    values = _bundled()
    override = (extra or {}).get("report", {})
    if not isinstance(override, Mapping):
        raise InvalidInput("Mục [report] trong lichct.toml phải là một bảng")
    for key, value in override.items():
        if key in _TEXT_KEYS:
            if not isinstance(value, str):
                raise InvalidInput(f"[report] {key} phải là một chuỗi")
            values[key] = value
        elif key == "recipients":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InvalidInput("[report] recipients phải là danh sách các dòng")
            values[key] = value
    return ReportSettings(
        **{key: str(values.get(key, "")) for key in _TEXT_KEYS},
        recipients=tuple(values.get("recipients", ())),
    )
