"""Planning runs: one run plans every open accepted order together and publishes its plan.

`service` runs and records them, `publish` writes a plan into the run's tables and reads it back as
contract JSON, `release` turns proposals into documents; the kinds of proposal (purchases, productions,
transfers, deliveries) are one table in `proposals`, read by all three and by the planner's pages."""
