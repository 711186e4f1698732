"""The public demo sign-up: a company asks for a demo, confirms its address through a signed link, and gets
its demo tenant and first admin (docs/privacy.md, *Demo sign-up*)."""
