"""IVR flows running on calls: the stored run, its timers, its interface steps, verification.

The flow definitions and the pure step engine live in `agentdesk.ivr`; this package is the
runtime that drives calls with them (it needs the telephony core, the core reaches it only
through `telephony.ivr_port`)."""
