"""The Space's records: generated days cached a few at a time, plus events written later."""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Generic, TypeVar

from fake_cometly.config import ID_STRIDE, FakeConfig
from fake_cometly.data import BLOCK, Company, Contact, Event, SpaceData, block_ids
from fake_cometly.times import local_day, to_epoch

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")

TRACKED_ID_BASE = 1_000_000_000
# Enough for a page or an export that spans a day boundary, while staying ~100 MB at 50k/day.
DAY_CACHE_SIZE = 6

# add_event()'s public field names: the name and profile steer generation, the time and the
# amount are converted, and these are copied as given.
_COPIED = ("company_id", "is_upsell", "order_id", "order_name", "event_url")
_WRITABLE = {"event_name", "profile_id", "event_time_utc", "amount", *_COPIED}


def event_key(event: Event) -> tuple[int, int]:
    return event.time, event.id


class LruCache(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, build: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        # Built outside the lock so one slow day does not stall readers of cached ones; two
        # threads may build the same key, which costs time but never correctness.
        value = build()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


class EventStore:
    """Generated events per local day, merged with tracked events, in (time, id) order."""

    def __init__(self, data: SpaceData) -> None:
        self._data = data
        self._zone = data.zone
        self._days: LruCache[tuple[date, int], list[Event]] = LruCache(DAY_CACHE_SIZE)
        self._lock = threading.Lock()
        self._tracked: dict[date, list[Event]] = {}
        self._tracked_ids: dict[int, Event] = {}

    def day(self, day: date) -> list[Event]:
        with self._lock:
            tracked = list(self._tracked.get(day, ()))
        # Tracked events are append-only, so their count versions the cached merge: a new
        # event makes a new key and the stale list simply ages out.
        return self._days.get(
            (day, len(tracked)), lambda: sorted(self._data.day_events(day) + tracked)
        )

    def days(self) -> list[date]:
        """Every local day that holds events: the generated range and any tracked day."""
        cfg = self._data.config
        generated = {cfg.first_day + timedelta(days=n) for n in range(cfg.days)}
        with self._lock:
            return sorted(generated | set(self._tracked))

    def scan(
        self,
        lo: int,
        hi: int,
        start: tuple[int, int] | None = None,
        descending: bool = False,
    ) -> Iterator[Event]:
        """Events with lo <= time < hi in key order from `start` (inclusive) on.

        Descending walks the same order backwards, from `start` (inclusive) down.
        """
        if lo >= hi:
            return
        # Both walks begin at the cursor's day: days on the far side of it hold nothing to
        # yield and are not even loaded, so paging through a long range stays linear (the day
        # cache holds only a few).
        if descending:
            yield from self._scan_down(lo, hi, start)
        else:
            yield from self._scan_up(lo, hi, start)

    def _scan_up(self, lo: int, hi: int, start: tuple[int, int] | None) -> Iterator[Event]:
        first, last = local_day(lo, self._zone), local_day(hi - 1, self._zone)
        if start is not None:
            first = max(first, local_day(start[0], self._zone))
        bottom = (lo, 0) if start is None else max((lo, 0), start)
        for day in self._days_with_events(first, last, descending=False):
            events = self.day(day)
            for index in range(bisect_left(events, bottom, key=event_key), len(events)):
                if events[index].time >= hi:
                    break
                yield events[index]

    def _scan_down(self, lo: int, hi: int, start: tuple[int, int] | None) -> Iterator[Event]:
        first, last = local_day(lo, self._zone), local_day(hi - 1, self._zone)
        if start is not None:
            last = min(last, local_day(start[0], self._zone))
        for day in self._days_with_events(first, last, descending=True):
            events = self.day(day)
            top = bisect_left(events, (hi, 0), key=event_key)
            if start is not None:
                top = min(top, bisect_right(events, start, key=event_key))
            for index in range(top - 1, -1, -1):
                if events[index].time < lo:
                    break
                yield events[index]

    def _days_with_events(self, first: date, last: date, *, descending: bool) -> Iterator[date]:
        """The days from first to last (none when last < first) that hold events, checked
        one at a time as the walk reaches them."""
        count = (last - first).days + 1
        offsets = range(count - 1, -1, -1) if descending else range(count)
        for offset in offsets:
            day = first + timedelta(days=offset)
            if self._holds_events(day):
                yield day

    def _holds_events(self, day: date) -> bool:
        cfg = self._data.config
        if 0 <= (day - cfg.first_day).days < cfg.days:
            return True
        with self._lock:
            return day in self._tracked

    def get(self, event_id: int) -> Event | None:
        with self._lock:
            if event_id in self._tracked_ids:
                return self._tracked_ids[event_id]
        cfg = self._data.config
        index = event_id // ID_STRIDE - 1
        if not 0 <= index < cfg.days:
            return None
        day = cfg.first_day + timedelta(days=index)
        return next((event for event in self.day(day) if event.id == event_id), None)

    def add(self, fields: Mapping[str, Any], now: int) -> Event:
        """Write an event after the fact (tracked or back-dated); returns it as stored.

        Fields use the API's names; missing ones are generated from the new id.
        """
        unknown = set(fields) - _WRITABLE
        if unknown:
            raise TypeError(f"unknown event fields: {sorted(unknown)}")
        moment = to_epoch(fields.get("event_time_utc", now))
        profile_id = fields.get("profile_id")
        overrides: dict[str, Any] = {name: fields[name] for name in _COPIED if name in fields}
        if "amount" in fields:
            cents = Decimal(str(fields["amount"])) * 100
            overrides["amount_cents"] = int(cents.to_integral_value(ROUND_HALF_UP))
        with self._lock:
            event_id = TRACKED_ID_BASE + len(self._tracked_ids) + 1
            generated = self._data.tracked_event(
                event_id,
                moment,
                str(fields.get("event_name", "purchase")),
                None if profile_id is None else int(profile_id),
            )
            event = generated._replace(**overrides)
            self._tracked_ids[event_id] = event
            self._tracked.setdefault(local_day(moment, self._zone), []).append(event)
        return event


class Records(Generic[T]):
    """Records with ids 1..count whose created_at never decreases as the id grows."""

    def __init__(
        self,
        count: int,
        created_at: Callable[[int], int],
        build_block: Callable[[int], list[T]],
        cached_blocks: int = 32,
    ) -> None:
        self.count = count
        self._created_at = created_at
        self._build_block = build_block
        self._blocks: LruCache[int, list[T]] = LruCache(cached_blocks)

    def get(self, record_id: int) -> T | None:
        if not 1 <= record_id <= self.count:
            return None
        return self._block((record_id - 1) // BLOCK)[(record_id - 1) % BLOCK]

    def _block(self, block: int) -> list[T]:
        return self._blocks.get(block, lambda: self._build_block(block))

    def created_between(self, lo: int | None, hi: int | None) -> range:
        """Ids created in [lo, hi): a contiguous range, found by bisecting on created_at."""
        ids = range(1, self.count + 1)
        first = 0 if lo is None else bisect_left(ids, lo, key=self._created_at)
        last = len(ids) if hi is None else bisect_left(ids, hi, key=self._created_at)
        return ids[first:last]

    def each(self, ids: range) -> Iterator[T]:
        """The records of an id range (ascending or descending) from created_between."""
        current, records = -1, []
        for record_id in ids:
            block, position = divmod(record_id - 1, BLOCK)
            if block != current:  # one cache lookup per block, not per record
                current, records = block, self._block(block)
            yield records[position]


class Space:
    """All of one Space's records."""

    def __init__(self, config: FakeConfig) -> None:
        self.config = config
        self.data = data = SpaceData(config)
        self.events = EventStore(data)
        self.contacts: Records[Contact] = Records(
            config.contacts, data.contact_created_at, data.contact_block
        )
        self.companies: Records[Company] = Records(
            config.companies,
            data.company_created_at,
            lambda block: [data.company(i) for i in block_ids(block, config.companies)],
        )
