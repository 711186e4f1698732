"""Retention inside a running tenant: per data category, the tenant's days within the operator's maxima,
and the runner that deletes what is due (docs/privacy.md, *Retention inside a running tenant*)."""
