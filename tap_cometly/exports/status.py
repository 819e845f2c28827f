"""The lifecycle states of an export job, as GET /{events,contacts}/exports/{id} reports them."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class ExportState:
    """One status answer: the job's status and, once completed, its presigned download URL."""

    export_id: int
    status: ExportStatus
    message: str | None = None
    download_url: str | None = field(default=None, repr=False)  # a credential: never shown
