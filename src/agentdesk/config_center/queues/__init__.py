"""queues domain of the configuration center."""
