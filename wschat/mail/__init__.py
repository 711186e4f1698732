"""Outgoing e-mail: a durable outbox, sent over SMTP by a worker in every process (docs/operations.md)."""
