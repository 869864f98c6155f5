"""devteam_bus."""
