"""Git workspaces: one bare mirror per project, worktrees per task branch, safe git calls."""
