"""devteam_aider."""
