"""Background jobs: rows with a kind and a due time, run after commit outside any transaction.

A service enqueues a job inside its caller's transaction (`queue.enqueue`), so the job exists
exactly when that transaction commits. Any worker's `JobRunner` claims due jobs, runs their
kind's handler with no transaction open, and records the outcome. Kinds are registered
explicitly at application start (`JobRegistry.register`); importing a module registers nothing.

Adding a kind: write `async def handler(job: JobContext)` (it opens its own short transactions
with `job.db`; work with outside effects keys them by `job.job_id` or `job.idempotency_key`, as
a job whose worker died is run again), wrap it in a `JobKind` (attempts, lease, back-off, or
`every_seconds` for a periodic one) and add it in `agentdesk.app._job_kinds`; enqueue it from a
service with `queue.enqueue(session, kind, payload, now=clock.now())`.
"""
