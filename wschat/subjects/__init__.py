"""Data-subject requests (GDPR Art. 15–21): find a person, export or erase everything stored about them,
the log of the requests with their deadlines, and the visitor's own download and deletion
(docs/privacy.md)."""
