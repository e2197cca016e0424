"""Rendering: models in, text out. Nothing here reads content files or writes output."""
