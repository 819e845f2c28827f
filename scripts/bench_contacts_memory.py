"""Peak memory of the tap while it syncs a one-million-contact export (not a test).

`python -m scripts.bench_contacts_memory [CONTACTS]` starts the fake Cometly API in this process
with CONTACTS contacts (default 1,000,000), runs `tap-cometly` as a subprocess that exports them
all in one window (with comet_tokens and emails, the widest rows), counts the RECORD lines it
writes, and prints the tap's peak resident memory (the child's ru_maxrss) and its speed. The
contacts path streams everything (download to a temporary file, rows read line by line), so the
peak must stay flat: under 150 MB whatever the number of contacts.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from fake_cometly import FakeCometly, FakeConfig
from tap_cometly.tap import TapCometly

PEAK_RSS_LIMIT_MB = 150
TIME_SCALE = 60.0
FIRST_DAY = date(2024, 2, 15)
DAYS = 90


def contacts_only_catalog(config: dict[str, Any]) -> dict[str, Any]:
    catalog = TapCometly(config=config).catalog_dict
    for entry in catalog["streams"]:
        for meta in entry["metadata"]:
            if not meta["breadcrumb"]:
                meta["metadata"]["selected"] = entry["tap_stream_id"] == "contacts"
    return catalog


def main(contacts: int) -> int:
    fake_config = FakeConfig(
        seed=1,
        first_day=FIRST_DAY,
        days=DAYS,
        events_per_day=1,
        contacts=contacts,
        companies=10,
        time_scale=TIME_SCALE,
    )
    with FakeCometly(fake_config) as fake, tempfile.TemporaryDirectory() as workdir:
        config = {
            "api_key": fake_config.api_key,
            "api_url": fake.base_url,
            "start_date": FIRST_DAY.isoformat(),
            "end_date": date.fromordinal(FIRST_DAY.toordinal() + DAYS).isoformat(),
            "timezone": fake_config.timezone,
            "contacts_window_days": DAYS + 1,  # the whole range in one export
            "include_comet_tokens": True,
            "include_all_emails": True,
            "rate_limit_window_seconds": 60 / TIME_SCALE,
            "export_poll_seconds": 0.2,
            "retry_initial_wait_seconds": 0.1,
        }
        config_path = Path(workdir) / "config.json"
        catalog_path = Path(workdir) / "catalog.json"
        config_path.write_text(json.dumps(config))
        catalog_path.write_text(json.dumps(contacts_only_catalog(config)))
        command = [
            sys.executable,
            "-m",
            "tap_cometly.tap",
            "--config",
            str(config_path),
            "--catalog",
            str(catalog_path),
        ]
        records = 0
        started = time.monotonic()
        first_record = None
        with (Path(workdir) / "tap.log").open("w+") as log:
            # The command is this interpreter, the tap module and files made here.
            tap = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log)
            assert tap.stdout is not None
            for line in tap.stdout:
                if b'"type":"RECORD"' in line[:40]:
                    records += 1
                    first_record = first_record or time.monotonic()
            code = tap.wait()
            finished = time.monotonic()
            elapsed = finished - started
            reading = finished - (first_record or started)
            if code != 0:
                log.seek(0)
                sys.stderr.write(log.read()[-4000:])
                print(f"tap-cometly failed with exit code {code}")
                return 1
        # ru_maxrss is in KiB on Linux; the tap is this process's only child.
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"contacts exported by the fake:  {contacts:,}")
    print(f"RECORD messages from the tap:   {records:,}")
    print(f"tap wall time:                  {elapsed:.1f} s (export, download, rows)")
    print(f"first to last RECORD:           {reading:.1f} s, {records / reading:,.0f} rows/s")
    print(f"rows per second, whole run:     {records / elapsed:,.0f}")
    print(f"tap peak RSS:                   {peak_mb:.1f} MB (limit {PEAK_RSS_LIMIT_MB} MB)")
    if records != contacts:
        print("FAILED: the tap did not emit every contact")
        return 1
    if peak_mb >= PEAK_RSS_LIMIT_MB:
        print("FAILED: peak memory over the limit")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
