"""Calls (video, screen sharing): their records, the peer-to-peer signalling relay and the ICE servers."""
