"""Telling order owners: an outbox of confirmation events delivered to webhook subscriptions."""
