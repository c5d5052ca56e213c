"""Configuration-center and operations pages (server-rendered)."""
