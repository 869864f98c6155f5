"""devteam_prep."""
