"""Redis adapters: key templates, the lease queue, results and counters."""
