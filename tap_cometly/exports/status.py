"""The lifecycle states of an export job, as GET /{events,contacts}/exports/{id} reports them."""

from __future__ import annotations

from enum import Enum


class ExportStatus(str, Enum):
    """queued -> processing -> completed or failed."""

    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def is_finished(self) -> bool:
        """Whether the job will not change any more (its file is ready, or it never will be)."""
        return self in (ExportStatus.COMPLETED, ExportStatus.FAILED)
