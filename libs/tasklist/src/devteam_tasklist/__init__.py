"""devteam_tasklist."""
