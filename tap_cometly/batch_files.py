"""Batch files (batch_config with the jsonl format): singer-sdk's layout, written faster.

The files are what singer-sdk's JSONLinesBatcher writes, which targets read: one record per line,
`batch_size` records a file, named and stored the same way. The SDK encodes each record with
simplejson and gzips at level 9, together about three fifths of a batch run's time; here a
file's records are encoded by msgspec in one call (the encoder of the tap's RECORD messages) and
gzipped at level 1, several times faster, the files larger (by half on the fake's rows). The
SDK gzips whatever `encoding.compression` says, and a target reads the files as it says; here a
file is gzipped when it says gzip and left plain when it says none. Other formats go to the SDK.
"""

from __future__ import annotations

import gzip
import typing as t
from uuid import uuid4

from singer_sdk.batch import BaseBatcher, Batcher, lazy_chunked_generator
from singer_sdk.contrib.msgspec import encoder

if t.TYPE_CHECKING:
    from collections.abc import Iterator

    from singer_sdk.helpers._batch import BatchConfig

JSONL = "jsonl"
GZIP = "gzip"
COMPRESSIONS = (GZIP, "none")
GZIP_LEVEL = 1


class JSONLinesBatcher(BaseBatcher):
    """JSON Lines batch files, gzipped or plain as the encoding says."""

    def get_batches(self, records: Iterator[dict]) -> Iterator[list[str]]:
        sync_id = f"{self.tap_name}--{self.stream_name}-{uuid4()}"
        storage = self.batch_config.storage
        gzipped = self.batch_config.encoding.compression == GZIP
        suffix = ".json.gz" if gzipped else ".json"
        chunks = lazy_chunked_generator(records, self.batch_config.batch_size)
        for number, chunk in enumerate(chunks, start=1):
            filename = f"{storage.prefix or ''}{sync_id}-{number}{suffix}"
            lines = encoder.encode_lines(list(chunk))
            with storage.open(filename, "wb") as file:
                if gzipped:
                    with gzip.GzipFile(fileobj=file, mode="wb", compresslevel=GZIP_LEVEL) as gz:
                        gz.write(lines)
                else:
                    file.write(lines)
            yield [storage.get_url(filename)]


def batcher_for(tap_name: str, stream_name: str, batch_config: BatchConfig) -> BaseBatcher:
    """The batcher of the batch_config's format: the tap's for jsonl, else the SDK's."""
    batcher = JSONLinesBatcher if batch_config.encoding.format == JSONL else Batcher
    return batcher(tap_name=tap_name, stream_name=stream_name, batch_config=batch_config)


def batch_config_problems(config: t.Mapping[str, t.Any]) -> list[str]:
    """One message per part of batch_config the batch files cannot follow."""
    batch_config = config.get("batch_config")
    if not isinstance(batch_config, dict):
        return []  # none, or not an object: the SDK's validation of its own setting says so
    problems = []
    # The SDK writes batch files from the records as read: its maps and flattening apply to
    # RECORD messages only, so a map that hashes or drops a column would miss the files.
    unapplied = " and ".join(
        name for name in ("stream_maps", "flattening_enabled") if config.get(name)
    )
    if unapplied:
        problems.append(
            f"Invalid settings: batch_config with {unapplied}. Batch files are written from the "
            f"records as read, without {unapplied}, so a map that hashes or drops a column would "
            f"not apply to them: remove {unapplied}, or batch_config to get RECORD messages."
        )
    encoding = batch_config.get("encoding") or {}
    compression = encoding.get("compression")
    if encoding.get("format") == JSONL and compression not in (None, *COMPRESSIONS):
        problems.append(
            f"Invalid setting 'batch_config': encoding.compression is {compression!r}; jsonl "
            f"batch files are written {' or '.join(COMPRESSIONS)}."
        )
    return problems
