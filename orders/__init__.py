"""Customer orders: customers, orders and their lifecycle, and the promises given for them.

Orders sit below the domains that act on them: logistics delivers an order (a delivery names it, counts
goods shipped against its lines and marks it shipped), planning plans and confirms it. So orders import
none of them. Cancelling an order cascades into its deliveries; rather than calling logistics, the orders
service publishes `OrderCancelled` (`orders/events.py`) and logistics reacts, subscribed by the
composition root. An event and not the cascade one layer up, because a cancellation is the orders
domain's own rule with one entry point (HTTP and services alike): a coordinator above would have to be
called instead of `cancel_order` everywhere, and forgetting it would leave deliveries reserving stock for a
cancelled order. The handlers run inside the cancelling transaction, before the status changes, so a
delivery already on the road still refuses the cancellation (409) and nothing is kept.
"""
