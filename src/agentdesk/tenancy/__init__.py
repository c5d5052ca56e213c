"""Tenants, their licences, access codes and outbound caller numbers (platform-owned)."""
