"""The wiring: the app, the runtime that assembles the services, Socket.IO dispatch, HTTP glue and the CLI.

It imports every feature and no feature imports it (tests/test_architecture.py holds that line).
"""
