"""Qt item models over the services' read models (no I/O in `data()`)."""
