"""Durations as text."""


def format_duration(seconds: int) -> str:
    """5400 → `1h30m`; zero parts left out; 0 → `0s`."""
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "".join(f"{v}{u}" for v, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if v)
    return text or "0s"
