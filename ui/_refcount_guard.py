"""Work around PySide6 6.12's reference counting of None/True/False on Python 3.10-3.11.

PySide6 6.12.0 returns `None` from every void method (`setText`, `setVisible`,
`processEvents` ...) and the bool from `SignalInstance.emit()` without taking a reference. On
Python 3.12+ those objects are immortal and nothing happens; on 3.11 (this project's floor)
each call lowers their count by one and after a few thousand calls the interpreter aborts with
"Fatal Python error: none_dealloc: deallocating None" (measured: 200 `QLabel.setText` calls
take 200 references from None; None starts with about 4,500).

The fix is what Python 3.12 does (PEP 683): give these singletons a reference count so large
that no run can exhaust it. They are never freed before interpreter exit in any case, so the
extra count changes nothing else. Applied once, when `ui` is imported.
"""

from __future__ import annotations

import ctypes
import sys

#: about 4.6e18 spare references: many lifetimes of any process at millions of calls a second
_BOOST = 1 << 62
_applied = False


def make_singletons_immortal() -> bool:
    """Raise the count of None, True and False on CPython < 3.12; True if it was applied."""
    global _applied
    if _applied or sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every object in CPython's (non-debug) object header.
        refcount = ctypes.c_ssize_t.from_address(id(singleton))
        refcount.value += _BOOST
    _applied = True
    return True
