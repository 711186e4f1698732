"""Visitors, conversations, messages, routing, presence and transfer."""
