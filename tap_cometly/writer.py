"""Singer message output: msgspec encoding, whole lines written in batches.

The SDK's writers deep-copy every message (dataclasses.asdict) and flush stdout after each one,
one system call per record. Here a RECORD is encoded straight from its fields, and records are
written when a batch fills up or when any other message arrives: a STATE therefore reaches the
target right after the records it covers, never held back in a buffer. Whatever way the tap ends,
it flushes the last batch (TapCometly).
"""

from __future__ import annotations

import signal
import sys
import typing as t
from datetime import datetime

from singer_sdk.contrib.msgspec import MsgSpecWriter, encoder, serialize_jsonl
from singer_sdk.singerlib.encoding.base import SingerMessageType
from singer_sdk.singerlib.messages import RecordMessage

if t.TYPE_CHECKING:
    from singer_sdk.singerlib.encoding.simple import Message

BATCH_BYTES = 1 << 16
STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


def record_fields(
    stream: str, record: dict[str, t.Any], version: int | None, time_extracted: datetime | None
) -> dict[str, t.Any]:
    """A RECORD message as the JSON object it is written as."""
    fields: dict[str, t.Any] = {"type": "RECORD", "stream": stream, "record": record}
    if version is not None:
        fields["version"] = version
    if time_extracted is not None:
        fields["time_extracted"] = time_extracted
    return fields


class BatchedMsgSpecWriter(MsgSpecWriter):
    """msgspec-encoded messages, written as batches of whole lines."""

    def __init__(self) -> None:
        super().__init__()
        self._pending = bytearray()

    def serialize_message(self, message: Message) -> bytearray:
        if isinstance(message, RecordMessage):
            return serialize_jsonl(
                record_fields(
                    message.stream, message.record, message.version, message.time_extracted
                )
            )
        return super().serialize_message(message)

    def write_record(
        self,
        stream: str,
        record: dict[str, t.Any],
        version: int | None,
        time_extracted: datetime,
    ) -> None:
        """A RECORD message, the same line as write_message's, without a message object
        (StreamHooks' plain records)."""
        # The encoder serialize_jsonl uses, writing straight onto the end of the batch.
        fields = record_fields(stream, record, version, time_extracted)
        encoder.encode_into(fields, self._pending, -1)
        self._pending += b"\n"
        if len(self._pending) >= BATCH_BYTES:
            self.flush()

    def write_message(self, message: Message) -> None:
        # serialize_jsonl reuses one buffer, so its bytes are copied into the batch at once.
        self._pending += self.format_message(message)
        if message.type != SingerMessageType.RECORD or len(self._pending) >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        # A SIGINT or SIGTERM handler flushes too (TapCometly.on_termination): held back
        # until the batch is out, it cannot cut a line short or write the batch twice.
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            sys.stdout.buffer.write(self._pending)
            sys.stdout.flush()
            self._pending.clear()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
