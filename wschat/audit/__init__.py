"""The audit log: an append-only record of who looked at, exported, sent, changed or erased what, and of the
lifecycle's steps, for the tenant's admins (docs/privacy.md, *The audit log*)."""
