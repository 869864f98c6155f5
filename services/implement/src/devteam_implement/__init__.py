"""devteam_implement."""
