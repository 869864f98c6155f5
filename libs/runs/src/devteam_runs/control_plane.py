"""The run domain's control plane: three loops that keep runs moving when a process or a message
is lost. The selector service starts them (`control_plane`); every replica may run them, since
each repair is a compare-and-set or idempotent.

* `AdmissionKeeper`: releases admission entries whose run is gone or ended, and starts admitted
  runs whose start was lost.
* `DeliveryWatch`: fails the run of a command JetStream gave up redelivering (max deliveries).
* `StuckRuns`: fails a running run that has no command pending or in flight.
"""

from devteam_bus.connection import Bus
from devteam_bus.service import Component
from devteam_runs.admission import AdmissionKeeper
from devteam_runs.delivery_watch import DeliveryWatch
from devteam_runs.settings import RunSettings
from devteam_runs.sweeps import StuckRuns


def control_plane(bus: Bus, settings: RunSettings) -> list[Component]:
    """The three loops, for a service to start beside its workers."""
    return [
        AdmissionKeeper(bus, settings.limits()),
        DeliveryWatch(bus),
        StuckRuns(bus, after_s=settings.stuck_after_s),
    ]
