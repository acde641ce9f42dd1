from __future__ import annotations

import pytest

from app.errors import JiafangError
from app.resources import resource_path, resources_dir


def test_resources_dir_holds_the_policies_folder() -> None:
    assert (resources_dir() / "policies").is_dir()


def test_unknown_resource_is_an_error_not_a_blank() -> None:
    with pytest.raises(JiafangError) as info:
        resource_path("policies", "no-such-policy.toml")
    assert info.value.code == "resource_missing"
    assert "找不到资源文件" in info.value.message("zh")
