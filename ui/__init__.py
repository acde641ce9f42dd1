"""The PySide6 desktop client: the only package that imports Qt."""

from ui._refcount_guard import make_singletons_immortal

# Before any Qt call: see ui/_refcount_guard.py (PySide6 6.12 on Python 3.11 loses references
# to None and True on each call and would abort the app after a few thousand calls).
make_singletons_immortal()
