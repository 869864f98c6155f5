"""The run domain: a run's state and the only ways it changes.

* `run_store`: run state in its bucket, changed by compare-and-set only.
* `transitions`: recording the stage a run is at, attempts, hand-over to the next stage, and
  the terminal transitions (failed, completed, blocked, cancelled), with one staleness rule.
* `admission`: how many runs may be active; queueing and releasing them.
* `launch`: queueing a new run, and resuming an ended one as a new, linked run.
* `stages`: what a stage worker gets from the run domain (its context, failing its run).
* `cancellation`: stopping a stage's work once its run has ended.
* `control_plane`: the loops that keep runs moving (admission keeper, delivery watch,
  stuck-run sweep), with `sweeps` and `delivery_watch` holding the last two.
"""

from devteam_runs.admission import AdmissionKeeper, AdmissionStore, start_admitted
from devteam_runs.cancellation import unless_ended
from devteam_runs.control_plane import control_plane
from devteam_runs.delivery_watch import DeliveryWatch
from devteam_runs.launch import NotResumableError, ProjectBusyError, queue_run, resume_run
from devteam_runs.run_store import RunStore, run_ids
from devteam_runs.settings import RunSettings
from devteam_runs.stages import StageContext, stage_worker
from devteam_runs.sweeps import StuckRuns
from devteam_runs.transitions import (
    advance,
    block_run,
    cancel_run,
    complete_run,
    end_run,
    fail_run,
    hand_on,
    is_stale,
    record_attempt,
    recorded_change,
)

__all__ = [
    "AdmissionKeeper",
    "AdmissionStore",
    "DeliveryWatch",
    "NotResumableError",
    "ProjectBusyError",
    "RunSettings",
    "RunStore",
    "StageContext",
    "StuckRuns",
    "advance",
    "block_run",
    "cancel_run",
    "complete_run",
    "control_plane",
    "end_run",
    "fail_run",
    "hand_on",
    "is_stale",
    "queue_run",
    "record_attempt",
    "recorded_change",
    "resume_run",
    "run_ids",
    "stage_worker",
    "start_admitted",
    "unless_ended",
]
