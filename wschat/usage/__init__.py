"""What each tenant uses of the installation, for the operator who runs and bills it: ``wschat stats`` and
``GET /api/operator/stats`` (docs/operations.md, *Usage per tenant*)."""
