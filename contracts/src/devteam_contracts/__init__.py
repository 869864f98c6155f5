"""devteam_contracts."""
