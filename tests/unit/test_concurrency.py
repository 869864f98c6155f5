"""Stage concurrency limits from the environment."""

import os

import pytest

from devteam_bus.worker import concurrency_of
from devteam_contracts.subjects import Stage


def test_defaults_suit_the_work() -> None:
    assert concurrency_of(Stage.IMPLEMENT, {}) == 8
    assert concurrency_of(Stage.VERIFY, {}) == (os.cpu_count() or 1)
    assert [concurrency_of(s, {}) for s in (Stage.SELECT, Stage.PREP, Stage.COMPLETE)] == [4] * 3


def test_the_environment_sets_each_stage() -> None:
    env = {"DEVTEAM_VERIFY_CONCURRENCY": "3", "DEVTEAM_PREP_CONCURRENCY": " "}
    assert concurrency_of(Stage.VERIFY, env) == 3
    assert concurrency_of(Stage.PREP, env) == 4  # blank: the default


@pytest.mark.parametrize("raw", ["0", "-2", "many", "1.5", "1000"])
def test_bad_values_are_refused_with_the_variable_named(raw: str) -> None:
    with pytest.raises(ValueError, match="DEVTEAM_IMPLEMENT_CONCURRENCY"):
        concurrency_of(Stage.IMPLEMENT, {"DEVTEAM_IMPLEMENT_CONCURRENCY": raw})
