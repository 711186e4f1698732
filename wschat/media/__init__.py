"""Profile photos: validated, stripped of metadata, re-encoded, served safely; initials when there is none."""
