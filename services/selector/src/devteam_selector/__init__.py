"""devteam_selector."""
