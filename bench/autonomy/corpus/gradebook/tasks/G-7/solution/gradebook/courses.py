"""Courses, their assignments, and how much each category of assignments weighs."""

from dataclasses import dataclass, field


def validate_weights(weights: dict[str, float]) -> None:
    """Raise `ValueError` unless the category weights are non-negative and add up to 1."""
    if not weights:
        raise ValueError("a course needs at least one category")
    if any(weight < 0 for weight in weights.values()):
        raise ValueError("category weights cannot be negative")
    if abs(sum(weights.values()) - 1.0) > 1e-9:
        raise ValueError(f"category weights add up to {sum(weights.values())}, not 1")


@dataclass(frozen=True)
class Assignment:
    """Something students hand in, worth `max_points`, in one category of its course."""

    name: str
    category: str
    max_points: float

    def __post_init__(self) -> None:
        if self.max_points <= 0:
            raise ValueError(f"{self.name}: max_points must be positive")


@dataclass
class Course:
    """A course with weighted categories (e.g. homework 0.3, tests 0.7) and its assignments;
    `teacher` is the name printed on report cards (empty when not assigned yet)."""

    code: str
    title: str
    weights: dict[str, float]
    assignments: list[Assignment] = field(default_factory=list)
    teacher: str = ""

    def __post_init__(self) -> None:
        validate_weights(self.weights)

    def add_assignment(self, assignment: Assignment) -> None:
        """Add an assignment; its category must be one of the course's, its name new."""
        if assignment.category not in self.weights:
            raise ValueError(f"{self.code} has no category {assignment.category!r}")
        if any(a.name == assignment.name for a in self.assignments):
            raise ValueError(f"{self.code} already has an assignment {assignment.name!r}")
        self.assignments.append(assignment)

    def assignment(self, name: str) -> Assignment:
        """The assignment called `name`; `KeyError` if there is none."""
        for assignment in self.assignments:
            if assignment.name == name:
                return assignment
        raise KeyError(name)

    def in_category(self, category: str) -> list[Assignment]:
        """The course's assignments in `category`, in the order they were added."""
        return [a for a in self.assignments if a.category == category]
