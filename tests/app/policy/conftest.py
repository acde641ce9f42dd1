"""Fixtures for the policy engine tests: the shipped policies."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.policy.loader import policy_by_id
from app.policy.model import Policy
from app.resources import resource_path


@pytest.fixture
def district_x() -> Policy:
    return policy_by_id("district-x-2025")


@pytest.fixture
def jingmen_urban() -> Policy:
    return policy_by_id("jingmen-urban-2017")


@pytest.fixture
def jingmen_county() -> Policy:
    return policy_by_id("jingmen-county-2017")


@pytest.fixture
def policies_dir() -> Path:
    return resource_path("policies")
