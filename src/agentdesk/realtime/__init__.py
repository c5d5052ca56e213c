"""Real-time delivery: the bus (memory:// or redis://) and the per-process stream hub."""
