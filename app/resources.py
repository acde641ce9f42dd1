"""One way to find shipped resources, from a checkout and from the PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

from app.errors import JiafangError


def resources_dir() -> Path:
    """The `resources/` folder: beside the packages in a checkout, in `_MEIPASS` when frozen."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource; an unknown name is an error, never a silent blank."""
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise JiafangError(
            f"找不到资源文件：{'/'.join(parts)}",
            f"Resource not found: {'/'.join(parts)}",
            code="resource_missing",
        )
    return path
