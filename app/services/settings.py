"""Per-laptop preferences (language, idle-lock delay): nothing personal, nothing secret."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

SETTINGS_FILE_NAME = "settings.json"


@dataclass
class AppSettings:
    language: str | None = None
    idle_lock_minutes: float = 5.0


class SettingsFile:
    """`settings.json` in the profiles' base folder; unreadable settings fall back to defaults."""

    def __init__(self, base_dir: Path) -> None:
        self.path = Path(base_dir) / SETTINGS_FILE_NAME

    def load(self) -> AppSettings:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return AppSettings()
        except (OSError, ValueError):
            logger.warning("settings file unreadable; using defaults")
            return AppSettings()
        settings = AppSettings()
        if isinstance(raw.get("language"), str):
            settings.language = raw["language"]
        minutes = raw.get("idle_lock_minutes")
        if isinstance(minutes, int | float) and 0 < minutes <= 120:
            settings.idle_lock_minutes = float(minutes)
        return settings

    def save(self, settings: AppSettings) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(settings)), encoding="utf-8")
        os.replace(tmp, self.path)
