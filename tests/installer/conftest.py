"""Shared pieces of the installer tests: the repository root and `build_installer` itself."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# build_installer.py is a top-level script, not part of an installed package.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
