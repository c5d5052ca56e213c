"""What an operator sees of a running process: Prometheus metrics and structured logs.

The lowest layer (beside kit): any domain may count or log through it, and it imports no domain.
The endpoints that expose it (/metrics, /healthz, /readyz) live in `agentdesk.monitoring`.
"""
