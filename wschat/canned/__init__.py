"""Canned responses: a tenant's shared replies (kept by its admins) and each agent's own."""
