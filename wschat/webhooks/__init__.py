"""Webhooks to a CRM: signed, durable, guarded deliveries of chat events (docs/webhooks.md)."""
