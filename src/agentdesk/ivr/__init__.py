"""IVR flows [流程管理]: definitions, their validation and the pure step engine (issue 10)."""
