"""agents domain of the configuration center."""
