"""Customer orders: customers, orders and their lifecycle, and the promises given for them."""
