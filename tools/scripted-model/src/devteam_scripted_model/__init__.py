"""devteam_scripted_model."""
