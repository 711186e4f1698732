"""Appointments booked in the chat: types, agents' hours, free slots, bookings and their mails
(docs/appointments.md)."""
