"""`meso` as a user meets it: every command, every kind of mistake."""
