"""Profiles on a shared laptop: one folder per account, listed before unlocking."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from app.services.errors import ProfileError
from app.services.profiles import ProfileDirectory, default_base_dir


def _create(directory: ProfileDirectory, account: str, server: str = "https://jf.example.cn/"):
    return directory.create(
        account=account, server_url=server, user_id=f"u-{account}", device_id=f"d-{account}"
    )


def test_two_accounts_get_separate_private_folders(tmp_path: Path) -> None:
    directory = ProfileDirectory(tmp_path)
    wang = _create(directory, "wangfang")
    li = _create(directory, "lijun")
    assert wang.path != li.path
    assert wang.store_path.parent == wang.path
    assert stat.S_IMODE(wang.path.stat().st_mode) == 0o700
    listed = {p.account for p in directory.list()}
    assert listed == {"wangfang", "lijun"}
    again = ProfileDirectory(tmp_path).get(li.profile_id)
    assert again.user_id == "u-lijun" and again.server_url == "https://jf.example.cn"


def test_the_same_account_cannot_be_registered_twice(tmp_path: Path) -> None:
    directory = ProfileDirectory(tmp_path)
    _create(directory, "wangfang")
    with pytest.raises(ProfileError) as info:
        _create(directory, "WangFang ", "https://jf.example.cn")
    assert info.value.code == "profile_exists"
    # Another server is another account.
    _create(directory, "wangfang", "https://other.example.cn")


def test_bad_server_address_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as info:
        _create(ProfileDirectory(tmp_path), "a", "jf.example.cn")
    assert info.value.code == "profile_server_url"


def test_damaged_profile_is_skipped_not_fatal(tmp_path: Path) -> None:
    directory = ProfileDirectory(tmp_path)
    good = _create(directory, "good")
    bad = _create(directory, "bad")
    (bad.path / "profile.json").write_text("garbage", encoding="utf-8")
    assert [p.account for p in directory.list()] == [good.account]


def test_unfinished_profile_is_discarded_with_its_files(tmp_path: Path) -> None:
    directory = ProfileDirectory(tmp_path)
    profile = _create(directory, "half")
    (profile.path / "store.sqlite3").write_bytes(b"half-made")
    directory.discard_new(profile)
    assert directory.list() == []
    assert not profile.path.exists()


def test_default_base_dir_follows_the_platform(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_base_dir() == tmp_path / "Jiafang"
