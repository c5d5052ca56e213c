"""Persistence: SQLAlchemy base, engines chosen by URL, transactions, the event outbox."""
