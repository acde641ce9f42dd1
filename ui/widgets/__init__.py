"""Screens and reusable widgets of the desktop client."""
