"""Every `.devteam.toml` example in docs/projects.md is valid, and is one that a test runs
through the whole product (tests/fixture_projects.py DOCS_EXAMPLES: the offline e2e tests and
`make test-projects` use exactly these)."""

import re
from pathlib import Path

from fixture_projects import DOCS_EXAMPLES

from devteam_contracts.repoconfig import parse_repo_config

PAGE = Path(__file__).parents[2] / "docs" / "projects.md"


def test_the_docs_show_exactly_the_configurations_the_tests_run() -> None:
    blocks = re.findall(r"```toml\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)
    for block in blocks:
        parse_repo_config(block)  # raises, naming the key, if the page shows an invalid one
    assert sorted(blocks) == sorted(DOCS_EXAMPLES)
