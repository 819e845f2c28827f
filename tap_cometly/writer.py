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

from singer_sdk.contrib.msgspec import MsgSpecWriter, serialize_jsonl
from singer_sdk.singerlib.encoding.base import SingerMessageType
from singer_sdk.singerlib.messages import RecordMessage

if t.TYPE_CHECKING:
    from singer_sdk.singerlib.encoding.simple import Message

BATCH_BYTES = 1 << 16
STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


class BatchedMsgSpecWriter(MsgSpecWriter):
    """msgspec-encoded messages, written as batches of whole lines."""

    def __init__(self) -> None:
        super().__init__()
        self._pending = bytearray()

    def serialize_message(self, message: Message) -> bytearray:
        if isinstance(message, RecordMessage):
            fields: dict[str, t.Any] = {
                "type": "RECORD",
                "stream": message.stream,
                "record": message.record,
            }
            if message.version is not None:
                fields["version"] = message.version
            if message.time_extracted is not None:
                fields["time_extracted"] = message.time_extracted
            return serialize_jsonl(fields)
        return super().serialize_message(message)

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
