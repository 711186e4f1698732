"""The chaos soak (issue 17, item 8): many visitors and agents chatting while processes, Redis and sockets
fail under them; afterwards nothing acked is lost or doubled, every screen equals the store, and nothing is
stuck. ``make soak`` runs it at full length, ``tests/soak/test_soak.py`` for 60 s in the suite."""
