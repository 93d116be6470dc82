"""The plan's tables: their columns (key, label) and which tables each tab of a plan shows."""

from planning.runs.proposals import KINDS as PROPOSALS

TABS = ("confirmations", "procurement", "production", "distribution")

COLUMNS = {
    "confirmations": [
        ("order", "Order"),
        ("customer", "Customer"),
        ("requested_at", "Requested"),
        ("status", "Status"),
        ("promised_at", "Promised"),
        ("late_hours", "Late by"),
        ("reason", "Waits for"),
        ("deliveries", "Deliveries"),
        ("explanation", "Explanation"),
    ],
} | {name: list(kind.columns) for name, kind in PROPOSALS.items()}
TAB_TABLES = {
    "confirmations": ("confirmations",),
    "procurement": ("purchases",),
    "production": ("productions",),
    "distribution": ("transfers", "deliveries"),
}
