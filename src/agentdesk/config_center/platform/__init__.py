"""platform domain of the configuration center."""
