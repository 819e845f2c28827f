"""python -m fake_cometly: serve a fake Space until SIGTERM or SIGINT.

Prints one line, FAKE_COMETLY_URL=<base url>, once both listeners accept connections.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import date
from types import FrameType

from fake_cometly.config import FakeConfig
from fake_cometly.fake import FakeCometly
from fake_cometly.faults import Fault


def _fault(spec: str) -> Fault:
    try:
        return Fault.parse(spec)
    except ValueError as exc:  # argparse would otherwise hide the reason
        raise argparse.ArgumentTypeError(str(exc)) from exc


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    defaults = FakeConfig()
    parser = argparse.ArgumentParser(prog="python -m fake_cometly", description=__doc__)
    parser.add_argument("--port", type=int, default=8765, help="API port (0: any free port)")
    parser.add_argument("--storage-port", type=int, default=0, help="download host's port")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--first-day", type=date.fromisoformat, default=defaults.first_day)
    parser.add_argument("--days", type=int, default=defaults.days)
    parser.add_argument("--events-per-day", type=int, default=defaults.events_per_day)
    parser.add_argument("--contacts", type=int, default=defaults.contacts)
    parser.add_argument("--companies", type=int, default=defaults.companies)
    parser.add_argument("--timezone", default=defaults.timezone, help="the Space's IANA zone")
    parser.add_argument(
        "--time-scale",
        type=float,
        default=defaults.time_scale,
        help="API time runs this much faster (60: a rate-limit minute lasts a second)",
    )
    parser.add_argument("--api-key", default=defaults.api_key)
    parser.add_argument(
        "--forbidden-key",
        action="append",
        default=None,
        help=f"a key answered with 403 (repeatable; default {', '.join(defaults.forbidden_keys)})",
    )
    parser.add_argument("--no-rate-limits", action="store_true", help="never answer 429")
    parser.add_argument("--export-polls-queued", type=int, default=defaults.export_polls_queued)
    parser.add_argument(
        "--export-polls-processing", type=int, default=defaults.export_polls_processing
    )
    parser.add_argument(
        "--export-processing-seconds",
        type=float,
        default=defaults.export_processing_seconds,
        help="API seconds an export takes at least, however often it is checked",
    )
    parser.add_argument("--shuffle-pages", action="store_true")
    parser.add_argument("--string-amounts", action="store_true")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        type=_fault,
        metavar="KIND[:FAMILY[:COUNT[:ARG]]]",
        help="inject a fault, e.g. status:events_list:3:503 (repeatable)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    config = FakeConfig(
        seed=args.seed,
        first_day=args.first_day,
        days=args.days,
        events_per_day=args.events_per_day,
        contacts=args.contacts,
        companies=args.companies,
        timezone=args.timezone,
        time_scale=args.time_scale,
        api_key=args.api_key,
        forbidden_keys=tuple(args.forbidden_key or FakeConfig().forbidden_keys),
        rate_limits_enabled=not args.no_rate_limits,
        export_polls_queued=args.export_polls_queued,
        export_polls_processing=args.export_polls_processing,
        export_processing_seconds=args.export_processing_seconds,
        shuffle_pages=args.shuffle_pages,
        string_amounts=args.string_amounts,
    )
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        del signum, frame  # dictated by signal.signal; SIGTERM and SIGINT both just stop
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    with FakeCometly(config, port=args.port, storage_port=args.storage_port) as fake:
        for fault in args.fault:
            fake.inject(fault)
        print(f"FAKE_COMETLY_URL={fake.base_url}", flush=True)
        print(f"downloads are served from {fake.storage_base}", file=sys.stderr, flush=True)
        while not stop.wait(0.2):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
