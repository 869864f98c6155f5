"""devteam_git."""
