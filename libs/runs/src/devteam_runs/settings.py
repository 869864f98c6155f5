"""The run domain's settings, from `DEVTEAM_*` environment variables."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from devteam_contracts.admission import AdmissionLimits


class RunSettings(BaseSettings):
    """How many runs may be active and queued, and when a run that cannot move is ended."""

    model_config = SettingsConfigDict(
        env_prefix="DEVTEAM_", extra="ignore", hide_input_in_errors=True
    )

    # Admission (read where runs start and end: the gateway and every stage service).
    max_active_runs: int = Field(default=16, ge=1)
    tenant_max_active_runs: int = Field(default=8, ge=1)
    tenant_max_queued_runs: int = Field(default=100, ge=0)
    # A running run with no command pending or in flight this long is failed as lost.
    stuck_after_s: float = Field(default=120.0, ge=5)

    def limits(self) -> AdmissionLimits:
        """The caps operators set (`DEVTEAM_MAX_ACTIVE_RUNS`, `DEVTEAM_TENANT_MAX_ACTIVE_RUNS`,
        `DEVTEAM_TENANT_MAX_QUEUED_RUNS`)."""
        return AdmissionLimits(
            max_active=self.max_active_runs,
            tenant_max_active=self.tenant_max_active_runs,
            tenant_max_queued=self.tenant_max_queued_runs,
        )
