"""The Tornado subject's plumbing: the line to the lab, tracing, sampling, database access."""
