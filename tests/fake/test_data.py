"""Generated data: deterministic, realistic, DST-correct, and cheap enough to regenerate."""

from __future__ import annotations

import time
from datetime import date, timedelta

from fake_cometly.config import FakeConfig
from fake_cometly.data import SpaceData, company_domain
from fake_cometly.store import EventStore, Space, event_key
from fake_cometly.times import day_bounds, local_day
from fake_cometly.vocabulary import EVENT_NAMES, PAID, SOURCES
from tests.fake.conftest import small_config

FALL_BACK = date(2024, 11, 3)
SPRING_FORWARD = date(2024, 3, 10)


def test_same_seed_same_data_other_seed_other_data() -> None:
    day = date(2024, 3, 9)
    first = SpaceData(small_config()).day_events(day)
    assert first == SpaceData(small_config()).day_events(day)
    assert first != SpaceData(small_config(seed=4)).day_events(day)
    contacts = SpaceData(small_config()).contact_block(0)
    assert contacts == SpaceData(small_config()).contact_block(0)


def test_days_vary_and_lie_inside_their_local_day() -> None:
    data = SpaceData(small_config(days=14))
    counts = []
    for offset in range(14):
        day = data.config.first_day + timedelta(days=offset)
        events = data.day_events(day)
        lo, hi = day_bounds(day, data.zone)
        assert all(lo <= event.time < hi for event in events)
        assert [event_key(e) for e in events] == sorted(event_key(e) for e in events)
        counts.append(len(events))
    assert len(set(counts)) > 5, "volume varies from day to day"
    assert 0.75 * 200 < sum(counts) / len(counts) < 1.25 * 200
    assert data.day_events(data.config.first_day - timedelta(days=1)) == []
    assert data.day_events(data.config.first_day + timedelta(days=14)) == []


def test_dst_days_hold_23_and_25_hours_of_events() -> None:
    config = small_config(first_day=date(2024, 3, 1), days=260, events_per_day=2000)
    data = SpaceData(config)
    for day, hours in ((SPRING_FORWARD, 23), (FALL_BACK, 25), (date(2024, 7, 1), 24)):
        lo, hi = day_bounds(day, data.zone)
        assert hi - lo == hours * 3600
        events = data.day_events(day)
        # Events fill the real length of the day, not 24 hours of it.
        assert events[-1].time - events[0].time > (hours - 1) * 3600
        assert {local_day(e.time, data.zone) for e in events} == {day}


def test_small_volumes_leave_some_days_empty() -> None:
    data = SpaceData(small_config(days=60, events_per_day=1))
    counts = [len(data.day_events(data.config.first_day + timedelta(days=n))) for n in range(60)]
    assert 0 in counts
    assert max(counts) >= 1


def test_event_fields_are_realistic() -> None:
    events = SpaceData(small_config(events_per_day=3000)).day_events(date(2024, 3, 9))
    assert len({e.id for e in events}) == len(events)
    names = {e.event_name for e in events}
    assert names <= EVENT_NAMES
    assert any(name.startswith("custom_event_") for name in names)
    for event in events:
        if event.event_name in ("purchase", "upsell_purchase"):
            floor = 1500 if event.event_name == "purchase" else 700  # discounts down to 80 %
            assert floor <= event.amount_cents <= 49999
            assert event.order_id is not None
        else:
            assert event.amount_cents == 0
            assert event.order_id is None
        assert event.is_upsell == (event.event_name == "upsell_purchase")
        assert 1 <= event.profile_id <= 400
    assert any(e.company_id is None for e in events)
    assert any(e.company_id is not None for e in events)


def test_touchpoints_come_before_their_event() -> None:
    data = SpaceData(small_config(events_per_day=2000))
    events = data.day_events(date(2024, 3, 9))
    ages, counts = [], set()
    for event in events:
        touchpoints = data.touchpoints(event)
        assert touchpoints == data.touchpoints(event), "deterministic per event"
        counts.add(len(touchpoints))
        times = [tp.time for tp in touchpoints]
        assert times == sorted(times)
        assert all(t < event.time for t in times)
        for tp in touchpoints:
            assert tp.source in SOURCES
            assert (tp.ad is not None) == (tp.source in PAID)
            ages.append(event.time - tp.time)
    assert counts == {1, 2, 3, 4, 5, 6}
    assert any(age > 90 * 86400 for age in ages)
    assert any(30 * 86400 < age < 90 * 86400 for age in ages)
    ad_ids = {
        int(tp.ad.ad_id)
        for event in events[:500]
        for tp in data.touchpoints(event)
        if tp.ad is not None
    }
    assert any(ad_id > 2**53 for ad_id in ad_ids), "Meta/TikTok ids exceed a double's precision"


def test_contacts_are_spread_in_id_order_with_nullable_fields() -> None:
    space = Space(small_config(contacts=3000))
    contacts = list(space.contacts.each(range(1, 3001)))
    created = [c.created_at for c in contacts]
    assert created == sorted(created)
    assert space.data.range_start <= created[0] < created[-1] < space.data.range_end
    for field in ("email", "name", "phone", "location"):
        values = [getattr(c, field) for c in contacts]
        assert None in values, field
        assert any(v is not None for v in values), field
    assert {len(c.comet_tokens) for c in contacts} == {0, 1, 2, 3, 4, 5}
    for contact in contacts:
        if contact.email is not None:
            assert contact.emails[0] == contact.email
    assert any(len(c.emails) > 1 for c in contacts), "merged profiles add emails"


def test_created_between_finds_exactly_the_ids_in_range() -> None:
    space = Space(small_config(contacts=2500))
    records = space.contacts
    created = {i: space.data.contact_created_at(i) for i in range(1, 2501)}
    lo, hi = created[700] + 1, created[1800]
    ids = records.created_between(lo, hi)
    assert list(ids) == [i for i, at in created.items() if lo <= at < hi]
    assert list(records.created_between(None, None)) == list(range(1, 2501))


def test_company_domains_are_unique() -> None:
    domains = [company_domain(i) for i in range(1, 20001)]
    assert len(set(domains)) == len(domains)


def test_scan_walks_keys_both_ways_from_any_start() -> None:
    data = SpaceData(small_config())
    store = EventStore(data)
    everything = [e for day in store.days() for e in store.day(day)]
    lo, hi = everything[50].time, everything[700].time
    inside = [e for e in everything if lo <= e.time < hi]
    assert list(store.scan(lo, hi)) == inside
    assert list(store.scan(lo, hi, descending=True)) == inside[::-1]
    middle = event_key(inside[100])
    assert list(store.scan(lo, hi, middle)) == inside[100:]
    assert list(store.scan(lo, hi, middle, descending=True)) == inside[100::-1]


def test_tracked_events_join_their_local_day() -> None:
    data = SpaceData(small_config())
    store = EventStore(data)
    day = date(2024, 3, 9)
    before = store.day(day)
    moment = before[10].time
    added = store.add({"event_name": "purchase", "amount": 42.5, "event_time_utc": moment}, now=0)
    assert added.amount_cents == 4250
    assert added.id > max(e.id for e in before)
    after = store.day(day)
    assert len(after) == len(before) + 1
    assert after == sorted(after)
    assert store.get(added.id) == added
    assert store.get(before[3].id) == before[3]
    far = store.add({"event_name": "sign_up", "event_time_utc": "2030-01-01 12:00:00"}, now=0)
    assert store.days()[-1] == date(2030, 1, 1)
    assert store.get(far.id) == far


def test_one_day_of_50k_events_generates_in_about_a_second() -> None:
    data = SpaceData(FakeConfig(events_per_day=50_000, contacts=1_000_000))
    started = time.perf_counter()
    events = data.day_events(date(2024, 3, 12))
    elapsed = time.perf_counter() - started
    assert len(events) > 40_000
    assert elapsed < 2.0, f"{elapsed:.2f} s"
