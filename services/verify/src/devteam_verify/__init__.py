"""devteam_verify."""
