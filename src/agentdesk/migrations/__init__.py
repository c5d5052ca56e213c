"""Alembic migrations, run programmatically by `agentdesk migrate` (see migrate.py)."""
