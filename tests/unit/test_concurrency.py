"""Stage concurrency limits from the environment, read once into the bus settings."""

import os

import pytest
from pydantic import ValidationError

from devteam_bus.settings import BusSettings
from devteam_contracts.subjects import Stage


def test_defaults_suit_the_work() -> None:
    settings = BusSettings()
    assert settings.concurrency(Stage.IMPLEMENT) == 8
    assert settings.concurrency(Stage.VERIFY) == (os.cpu_count() or 1)
    others = (Stage.SELECT, Stage.PREP, Stage.COMPLETE)
    assert [settings.concurrency(s) for s in others] == [4] * 3


def test_the_environment_sets_each_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEVTEAM_VERIFY_CONCURRENCY", "3")
    monkeypatch.setenv("DEVTEAM_PREP_CONCURRENCY", " ")
    settings = BusSettings()
    assert settings.concurrency(Stage.VERIFY) == 3
    assert settings.concurrency(Stage.PREP) == 4  # blank: the default


@pytest.mark.parametrize("raw", ["0", "-2", "many", "1.5", "1000"])
def test_bad_values_are_refused_with_the_variable_named(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEVTEAM_IMPLEMENT_CONCURRENCY", raw)
    with pytest.raises(ValidationError, match="DEVTEAM_IMPLEMENT_CONCURRENCY"):
        BusSettings()
