"""The archive: past conversations for agents and admins, searched, opened and exported (docs/archive.md)."""
