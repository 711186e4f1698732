"""The data lifecycle the privacy notice promises: contract states run by the server, the operator's
commands on them (contract, terminate, legal hold), and the deletion of a tenant's data when its time has
come (docs/privacy.md)."""
