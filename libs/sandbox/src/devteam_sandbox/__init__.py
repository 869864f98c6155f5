"""Running untrusted commands: time limits, whole-process-group kill, scrubbed environment,
a bubblewrap sandbox when available, and redaction of secrets from their output."""
