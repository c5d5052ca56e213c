"""called domain of the configuration center."""
