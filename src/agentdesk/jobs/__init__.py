"""Background jobs: rows with a kind and a due time, run after commit outside any transaction.

A service enqueues a job inside its caller's transaction (`queue.enqueue`), so the job exists
exactly when that transaction commits. Any worker's `JobRunner` claims due jobs, runs their
kind's handler with no transaction open, and records the outcome. Kinds are registered
explicitly at application start (`JobRegistry.register`); importing a module registers nothing.
"""
