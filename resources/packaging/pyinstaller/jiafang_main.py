"""PyInstaller entry point of the desktop client: `python -m ui`, plus the installation checks.

`--self-test` and `--measure-startup` (ui/selftest.py) are dispatched here as well as in
`ui/__main__.py`, so the bundle always has them whatever the app's own argument parsing does.
"""

import sys


def _main() -> int:
    arguments = sys.argv[1:]
    if "--self-test" in arguments or "--measure-startup" in arguments:
        from ui.selftest import main as selftest_main

        return selftest_main(arguments)
    from ui.__main__ import main

    return main()


if __name__ == "__main__":
    raise SystemExit(_main())
