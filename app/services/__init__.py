"""Use-case services: the facade the desktop UI calls (no Qt here, no SQL in the UI)."""
