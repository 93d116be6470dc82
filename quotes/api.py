"""Quotes over HTTP: `POST /quotes`, a promise for a prospective order in milliseconds.

Instant quotes between planning runs: the earliest promise for a prospective order, in milliseconds, against
what the plan in force left free (free stock over time, receipts not pegged to other orders, spare line hours
by calendar, supplier and lane capacity), promised the way a run promises (in stock near the customer: only
the delivery time; else plus transfer, production or purchasing time; several lines: the latest line) and
explained in a run's words. `hold: true` accepts the order with that promise (the next run's
`confirmed_promise_at`) and reserves what it uses until the next run plans it. Roles: `sales` or `planner`.
"""

from flask import request
from flask.views import MethodView

from core.api import Blueprint
from core.auth import current_user_id
from core.transaction import HEADER, KeyRequired
from quotes import service
from quotes.schemas import QuoteInSchema, QuoteSchema

blp = Blueprint(
    "quotes",
    __name__,
    url_prefix="/api/v1",
    description=" ".join(__doc__.split("\n\n", 1)[1].split()),
)

EXAMPLE_REQUEST = {
    "customer": "ACME",
    "requested_at": "2026-12-09T08:00:00Z",
    "priority": 2,
    "ship_complete": True,
    "lines": [{"sku": "NB-14", "quantity": 40}, {"sku": "DOCK-1", "quantity": 40}],
}
EXAMPLE_ANSWER = {
    "quotable": True,
    "reasons": [],
    "promised_at": "2026-12-10T14:00:00Z",
    "reason": "transfer",
    "explanation": "waits for transfer from WH-N by truck (24 h); 40 DOCK-1 on hand at WH-N; "
    "truck from WH-S to south takes 6 h; line 2 of 2 is the latest; 30 h after the requested time",
    "lines": [
        {
            "line": "1",
            "sku": "NB-14",
            "quantity": 40,
            "promised_at": "2026-12-10T14:00:00Z",
            "from": "WH-S",
            "mode": "truck",
            "reason": "stock",
            "supply": "40 NB-14 on hand at WH-S",
            "deliveries": [
                {
                    "quantity": 40,
                    "from": "WH-S",
                    "mode": "truck",
                    "depart_at": "2026-12-10T08:00:00Z",
                    "arrive_at": "2026-12-10T14:00:00Z",
                }
            ],
        },
        {
            "line": "2",
            "sku": "DOCK-1",
            "quantity": 40,
            "promised_at": "2026-12-10T14:00:00Z",
            "from": "WH-S",
            "mode": "truck",
            "reason": "transfer",
            "supply": "transfer from WH-N by truck (24 h); 40 DOCK-1 on hand at WH-N",
            "deliveries": [
                {
                    "quantity": 40,
                    "from": "WH-S",
                    "mode": "truck",
                    "depart_at": "2026-12-10T08:00:00Z",
                    "arrive_at": "2026-12-10T14:00:00Z",
                }
            ],
        },
    ],
    "uses": {
        "purchases": [],
        "production": [],
        "transfers": [
            {
                "from": "WH-N",
                "to": "WH-S",
                "mode": "truck",
                "sku": "DOCK-1",
                "quantity": 40,
                "depart_at": "2026-12-09T08:00:00Z",
                "arrive_at": "2026-12-10T08:00:00Z",
            }
        ],
    },
    "held": False,
    "order": None,
    "run": 41,
}
EXAMPLES_IN = {
    "quote": {"summary": "Ask when it can arrive (changes nothing)", "value": EXAMPLE_REQUEST},
    "hold": {
        "summary": "Hold it: accept the order with the promise (send an Idempotency-Key)",
        "value": {**EXAMPLE_REQUEST, "hold": True},
    },
}
EXAMPLES_OUT = {
    "quoted": {"summary": "A promise", "value": EXAMPLE_ANSWER},
    "held": {"summary": "Held as an order", "value": {**EXAMPLE_ANSWER, "held": True, "order": "SO-000123"}},
    "unquotable": {
        "summary": "Cannot be promised, and why",
        "value": {
            "quotable": False,
            "reasons": ["line 2: no source for DOCK-9 (no stock, receipt, supplier or route)"],
            "held": False,
            "order": None,
            "run": 41,
        },
    },
}

SELLERS = ("sales", "planner")


@blp.route("/quotes")
class Quotes(MethodView):
    @blp.requires(*SELLERS)
    @blp.writes(idempotent=True)
    @blp.arguments(QuoteInSchema, examples=EXAMPLES_IN)
    @blp.response(200, QuoteSchema, examples=EXAMPLES_OUT)
    @blp.alt_response(428, response="PRECONDITION_REQUIRED")
    @blp.errors(404, 409)
    def post(self, data):
        """Quote a prospective order: the earliest promise per line and for the order (ship-complete: the
        latest line), where it ships from, by which mode, what it uses, and why — against what the plan in
        force left free. Changes nothing unless `hold` is true: then the order is accepted with this promise
        and what it uses is reserved until the next run plans it (an `Idempotency-Key` is required, 428
        without). An order that cannot be promised is a 200 with `quotable: false` and its `reasons`; 409
        `no_plan_in_force` before the first published plan."""
        if data.get("hold") and request.headers.get(HEADER) is None:
            raise KeyRequired(f"a held quote creates an order: send an {HEADER} header", header=HEADER)
        return service.quote(data, user_id=current_user_id())
