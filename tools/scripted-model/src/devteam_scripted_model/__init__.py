"""devteam_scripted_model: an OpenAI-compatible server answering from a scenario file."""

from devteam_scripted_model.app import create_app
from devteam_scripted_model.launcher import ScriptedModelServer, scripted_model_server
from devteam_scripted_model.scenario import (
    Router,
    Rule,
    Scenario,
    ScenarioError,
    classify,
    load_scenario,
    parse_scenario,
)

__all__ = [
    "Router",
    "Rule",
    "Scenario",
    "ScenarioError",
    "ScriptedModelServer",
    "classify",
    "create_app",
    "load_scenario",
    "parse_scenario",
    "scripted_model_server",
]
