"""users domain of the configuration center."""
