"""Planning runs: one run plans every open accepted order together and publishes its plan."""
