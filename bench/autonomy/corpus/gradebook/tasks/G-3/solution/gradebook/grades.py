"""From points earned to percentages per category and a course's final grade.

A student's scores are a dict from assignment name to points earned; assignments missing from
it have not been graded yet and are left out.
"""

from gradebook.courses import Course

Scores = dict[str, float]


def percentage(points: float, max_points: float) -> float:
    """`points` out of `max_points` as a percentage (may exceed 100 with bonus points)."""
    if max_points <= 0:
        raise ValueError("max_points must be positive")
    return 100.0 * points / max_points


def category_percentage(course: Course, scores: Scores, category: str) -> float | None:
    """Points earned over points possible on the graded assignments of `category`, as a
    percentage; `None` while nothing in the category has been graded."""
    graded = [a for a in course.in_category(category) if a.name in scores]
    if not graded:
        return None
    earned = sum(scores[a.name] for a in graded)
    possible = sum(a.max_points for a in graded)
    return percentage(earned, possible)


def final_percentage(course: Course, scores: Scores) -> float:
    """The weighted final grade of the course, rounded to two decimals.

    Categories with nothing graded yet are left out and the weights of the others scaled up
    to add up to 1 again; with nothing graded at all the result is 0.0.
    """
    total = 0.0
    used_weight = 0.0
    for category, weight in course.weights.items():
        result = category_percentage(course, scores, category)
        if result is None:
            continue
        total += weight * result
        used_weight += weight
    if used_weight == 0:
        return 0.0
    return round(total / used_weight, 2)


def missing_assignments(course: Course, scores: Scores) -> list[str]:
    """Names of the course's assignments the student has no score for yet."""
    return [a.name for a in course.assignments if a.name not in scores]
