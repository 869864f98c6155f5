"""A school gradebook: students, courses and assignments, grades, attendance and reports.

Modules: `students` (the roster), `courses` (assignments and category weights), `grades`
(percentages and final grades), `letters` (letter grades and GPA), `attendance` (daily
records) and `report` (CSV exports and report cards).
"""

__version__ = "0.3.0"
