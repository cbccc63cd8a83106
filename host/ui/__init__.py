"""`meso ui`: the practitioner\x27s screen (server, pages, the live session adapter)."""
