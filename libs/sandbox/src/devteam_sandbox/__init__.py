"""devteam_sandbox."""
