"""Letter grades from percentages, and grade points for a GPA."""

# Lowest percentage for each letter, best letter first; anything below the last is an F.
SCALE: list[tuple[float, str]] = [(90.0, "A"), (80.0, "B"), (70.0, "C"), (60.0, "D")]

GRADE_POINTS: dict[str, float] = {"A": 4.0, "B": 3.0, "C": 2.0, "D": 1.0, "F": 0.0}


def letter_grade(percent: float) -> str:
    """The letter for a final percentage on the school's scale (A, B, C, D or F)."""
    for cutoff, letter in SCALE:
        if percent > cutoff:
            return letter
    return "F"


def grade_points(letter: str) -> float:
    """Grade points of a letter (A = 4.0 … F = 0.0); `ValueError` for an unknown letter."""
    try:
        return GRADE_POINTS[letter.upper()]
    except KeyError:
        raise ValueError(f"unknown letter grade {letter!r}") from None


def gpa(letters: list[str]) -> float | None:
    """The unweighted grade point average of `letters`, to two decimals; `None` if empty."""
    if not letters:
        return None
    return round(sum(grade_points(letter) for letter in letters) / len(letters), 2)
