"""Health, readiness and metrics endpoints, and the per-worker sampler behind the gauges.

`/healthz` says the process answers; `/readyz` that its database and bus are reachable (a load
balancer stops sending traffic otherwise); `/metrics` is the Prometheus exposition, behind a
bearer token (`AGENTDESK_METRICS_TOKEN`; without one it is off). Counters and histograms are
written where things happen (`agentdesk.observability.metrics`); what the database knows —
waiting calls, agents by state, overdue timers, import jobs — is read when scraped, so every
worker reports the same truth.
"""
