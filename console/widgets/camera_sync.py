"""A camera's status reaches every seat by the feed: the change log's camera rows -> one read -> the views.

The workstation (and the wall's camera rotation) call `apply_camera_changes` with each feed
batch; the named cameras are read on the seat's worker and handed to every target (the map's
`update_cameras`, a camera wall's statuses).  An import ("*") reloads every camera.
"""
from __future__ import annotations

from typing import Callable, Iterable

from console.services.seat import SeatController

Target = Callable[[list], None]


def apply_camera_changes(batch, controller: SeatController, targets: Iterable[Target]) -> int | None:  # noqa: ANN001
    """Read the cameras the batch names (a feed ChangeBatch) and pass them to each target; the request id."""
    ids = list(batch.ids("camera"))
    if not ids:
        return None
    targets = list(targets)

    def deliver(cameras: list) -> None:
        for target in targets:
            target(cameras)

    return controller.load_cameras(None if "*" in ids else ids, deliver)


def wall_statuses(wall) -> Target:  # noqa: ANN001 - a CameraWall
    """A target that passes each camera's status to a camera wall."""
    return lambda cameras: [wall.set_status(c.id, c.status) for c in cameras]
