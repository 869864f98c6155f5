"""devteam_gateway."""
