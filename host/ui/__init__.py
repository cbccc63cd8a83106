"""`meso ui`: the practitioner's screen (server, pages, the live session adapter)."""
