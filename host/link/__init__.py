"""The host's end of the link: serial transport, session with the gun, shot records."""
