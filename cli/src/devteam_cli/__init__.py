"""devteam_cli."""
