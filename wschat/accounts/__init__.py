"""Tenants, users (admins and agents), passwords, tokens and roles."""
