"""Landing: how a run's tasks reach the customer's repository. `push` lands each task on the
target branch; `pull_request` lands them on a branch of the run and opens one pull request
(a merge request on GitLab) through the forge's REST API."""

import re
from typing import Literal

from pydantic import Field, model_validator

from devteam_contracts.base import Input, Strict
from devteam_contracts.secrets import EnvName, SecretName

Forge = Literal["github", "gitlab", "gitea"]
LandMode = Literal["push", "pull_request"]
RUN_BRANCH_PREFIX = "devteam/"

_PART = r"[A-Za-z0-9_.-]{1,100}"
_REPOSITORY = re.compile(rf"^{_PART}(/{_PART}){{1,20}}$")


def run_branch(run_id: str) -> str:
    """The branch a `pull_request` run lands its tasks on (unless it continues an open one)."""
    return f"{RUN_BRANCH_PREFIX}{run_id}"


class LandConfig(Input):
    """Where a run's work goes. The token never travels: only the name of the tenant's secret
    (or of an allow-listed worker variable) holding it."""

    mode: LandMode = Field(
        default="push",
        description="`push`: each task lands on the target branch. `pull_request`: on the "
        "run's branch `devteam/<run_id>`, with one pull request into the target branch.",
    )
    forge: Forge | None = Field(default=None, description="With `pull_request`: the forge.")
    api_base: str | None = Field(
        default=None,
        max_length=500,
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
        description="The forge's REST root: `https://api.github.com`, "
        "`https://gitlab.example.com/api/v4`, `https://gitea.example.com/api/v1`.",
    )
    repository: str | None = Field(
        default=None,
        max_length=500,
        description="The repository on the forge: `owner/name` (GitLab: `group/sub/name`).",
    )
    token_secret: SecretName | None = Field(
        default=None, description="The tenant's secret holding the forge token."
    )
    token_env: EnvName | None = Field(
        default=None, description="Worker variable holding the token (allow-listed only)."
    )

    @model_validator(mode="after")
    def _complete(self) -> "LandConfig":
        forge_fields = ("forge", "api_base", "repository", "token_secret", "token_env")
        if self.mode == "push":
            given = [name for name in forge_fields if getattr(self, name) is not None]
            if given:
                raise ValueError(f"mode push takes no {', '.join(given)}")
            return self
        missing = [name for name in ("forge", "api_base", "repository") if not getattr(self, name)]
        if missing:
            raise ValueError(f"mode pull_request needs {', '.join(missing)}")
        if bool(self.token_secret) == bool(self.token_env):
            raise ValueError("mode pull_request needs one of token_secret or token_env")
        repo = self.repository or ""
        if not _REPOSITORY.match(repo) or any(p in (".", "..") for p in repo.split("/")):
            raise ValueError(f"repository must be `owner/name`: {repo!r}")
        if self.forge != "gitlab" and repo.count("/") != 1:
            raise ValueError(f"a {self.forge} repository is `owner/name`: {repo!r}")
        return self


class PullRequestRef(Strict):
    """The pull request (merge request) a run's work is in."""

    number: int = Field(ge=1, description="Its number (GitLab: the merge request's `iid`).")
    url: str = Field(description="Its page on the forge (`html_url` / `web_url`).")
