"""Self-hosted Jitsi: room names, the per-participant JWT, and the docker-jitsi-meet ``.env`` lines."""
