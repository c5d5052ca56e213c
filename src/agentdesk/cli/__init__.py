"""Command line: serve, migrate, demo seed, simulator, user admin."""
