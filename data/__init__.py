"""Bundled data of lichct: observance catalog, reminder policies, units, the 2024 plan.

Installed as the package ``lichct_data``; read files through :func:`resource`.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def resource(*parts: str) -> Traversable:
    """A bundled file, e.g. ``resource("observances.toml")`` or ``resource("plans", name)``."""
    node = files(__name__)
    for part in parts:
        node = node.joinpath(part)
    return node
