"""Reports: figures of a tenant's chats per day, kept as chats close, read for a period (docs/reports.md)."""
