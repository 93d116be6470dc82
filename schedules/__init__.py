"""The scheduler: the one process that plans every cycle and executes queued runs."""
