"""Jiafang domain and local data: records, policy engine, encrypted store, outbox, audit.

No Qt, no HTTP: this package is shared by the desktop client, the sync engine and the server.
"""

__version__ = "0.1.0"
