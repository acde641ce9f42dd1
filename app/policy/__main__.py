"""`python -m app.policy` runs the policy command line (see `app.policy.cli`)."""

from __future__ import annotations

import sys

from app.policy.cli import main

if __name__ == "__main__":
    sys.exit(main())
