"""Preferences survive a restart; a damaged file falls back to defaults."""

from __future__ import annotations

from pathlib import Path

from app.services.settings import AppSettings, SettingsFile


def test_language_and_idle_delay_round_trip(tmp_path: Path) -> None:
    SettingsFile(tmp_path).save(AppSettings(language="en", idle_lock_minutes=10))
    assert SettingsFile(tmp_path).load() == AppSettings(language="en", idle_lock_minutes=10)


def test_missing_or_damaged_settings_give_defaults(tmp_path: Path) -> None:
    assert SettingsFile(tmp_path).load() == AppSettings()
    (tmp_path / "settings.json").write_text("{oops", encoding="utf-8")
    assert SettingsFile(tmp_path).load() == AppSettings()
    (tmp_path / "settings.json").write_text('{"idle_lock_minutes": -3}', encoding="utf-8")
    assert SettingsFile(tmp_path).load().idle_lock_minutes == 5.0
