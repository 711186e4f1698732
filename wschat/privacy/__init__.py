"""Data minimisation: IP truncation now; retention and data-subject requests later."""
