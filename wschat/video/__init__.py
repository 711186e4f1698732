"""A tenant's video settings (Jitsi or peer to peer, TURN), with the Jitsi secret sealed at rest."""
