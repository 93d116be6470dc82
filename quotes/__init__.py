"""Instant quotes between planning runs: a promise in milliseconds against what the plan in force left
free (its residual), which the next run keeps."""
