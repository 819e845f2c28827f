"""The REST API: routing, authentication, rate limits, answer faults, one method per endpoint."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fake_cometly import validation
from fake_cometly.clock import ScaledClock
from fake_cometly.data import Event, mix
from fake_cometly.exports import COMPLETED, ExportManager
from fake_cometly.faults import JOB_KINDS, Fault, FaultBox
from fake_cometly.pagination import (
    Cursor,
    InvalidCursor,
    Key,
    Keyset,
    Page,
    descending_ids,
    page_body,
    paginate,
)
from fake_cometly.query import Hit, hit_key, hits
from fake_cometly.ratelimit import Budget, RateLimiter
from fake_cometly.rows import (
    BASE_FIELDS,
    company_row,
    contact_row,
    event_row,
    export_row,
    list_row,
)
from fake_cometly.server import Request, Response
from fake_cometly.storage import UrlSigner
from fake_cometly.store import Records, Space
from fake_cometly.times import format_iso, format_sql
from fake_cometly.validation import ValidationFailed, php_params
from fake_cometly.vocabulary import (
    COMPANIES_LIST,
    CONTACTS_LIST,
    EVENTS_LIST,
    EXPORT_CREATE,
    EXPORT_STATUS,
    SINGLE_RECORD,
    TRACK,
)

T = TypeVar("T")
BASE_PATH = "/public-api/v1"
EVENT_KEYS = Keyset(("event_time_utc", "id"), frozenset({"event_time_utc"}))
ATTRIBUTED_KEYS = Keyset(("event_time_utc", "id", "touchpoint_id"), frozenset({"event_time_utc"}))
CONTACT_KEYS = Keyset(("id",))
COMPANY_KEYS = Keyset(("created_at", "id"), frozenset({"created_at"}))
UNKNOWN_STATUS = "cancelled"  # a status the API does not document (the unknown_status fault)
_GATEWAY_PAGE = (
    "<html><head><title>{0}</title></head><body><center><h1>{0}</h1></center>"
    "<hr><center>nginx</center></body></html>"
)


class _NotFound(Exception):
    pass


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    family: str
    handler: Callable[..., Response]


class Api:
    def __init__(
        self,
        space: Space,
        *,
        clock: ScaledClock,
        limiter: RateLimiter,
        faults: FaultBox,
        exports: ExportManager,
        signer: UrlSigner,
    ) -> None:
        self._space = space
        self._config = space.config
        self._clock = clock
        self._limiter = limiter
        self._faults = faults
        self._exports = exports
        self._signer = signer
        self.base_url = ""  # set once the API listener has a port
        self._idempotency: dict[str, int] = {}
        self._idempotency_lock = threading.Lock()
        single_event = partial(
            self._one, what="Event", find=space.events.get, render=self._event_row
        )
        single_contact = partial(
            self._one, what="Contact", find=space.contacts.get, render=contact_row
        )
        single_company = partial(
            self._one, what="Company", find=space.companies.get, render=company_row
        )
        # More specific paths first: /events/exports and /events/track before /events/{id}.
        routes: list[tuple[str, str, str, Callable[..., Response]]] = [
            ("GET", "/events", EVENTS_LIST, self._list_events),
            ("POST", "/events/exports", EXPORT_CREATE, self._export_events),
            ("GET", "/events/exports/([^/]+)", EXPORT_STATUS, partial(self._status, "events")),
            ("POST", "/events/track", TRACK, self._track),
            ("GET", "/events/([^/]+)", SINGLE_RECORD, single_event),
            ("GET", "/contacts", CONTACTS_LIST, self._list_contacts),
            ("POST", "/contacts/exports", EXPORT_CREATE, self._export_contacts),
            ("GET", "/contacts/exports/([^/]+)", EXPORT_STATUS, partial(self._status, "contacts")),
            ("GET", "/contacts/([^/]+)", SINGLE_RECORD, single_contact),
            ("GET", "/companies", COMPANIES_LIST, self._list_companies),
            ("GET", "/companies/([^/]+)", SINGLE_RECORD, single_company),
        ]
        self._routes = [
            _Route(method, re.compile(re.escape(BASE_PATH) + path), family, handler)
            for method, path, family, handler in routes
        ]

    # Dispatch -----------------------------------------------------------------------------------

    def _match(self, request: Request) -> tuple[_Route | None, tuple[str, ...], bool]:
        """The route for this method and path, its path arguments, and whether the path
        exists for some other method."""
        path = request.path.rstrip("/")
        other_method = False
        for route in self._routes:
            found = route.pattern.fullmatch(path)
            if found is None:
                continue
            if route.method == request.method:
                return route, found.groups(), False
            other_method = True
        return None, (), other_method

    def family(self, request: Request) -> str | None:
        route = self._match(request)[0]
        return route.family if route is not None else None

    def answer(self, request: Request, family: str | None) -> Response:
        del family  # dictated by the App protocol; the matched route names the same family
        route, args, other_method = self._match(request)
        if route is None:
            if other_method:
                message = f"The {request.method} method is not supported for this route."
                return Response.json(405, {"message": message})
            return Response.json(404, {"message": f"The route {request.path} could not be found."})
        denied = self._authenticate(request)
        if denied is not None:
            denied.headers.update(self._limiter.peek(route.family).headers())
            return denied
        failure = self._faults.take(("status",), route.family, request.path)
        if failure is not None:
            return self._failure(failure, self._limiter.peek(route.family))
        budget = self._limiter.take(route.family)
        if budget.wait is not None:
            retry_after = str(self._clock.real_seconds(budget.wait))
            return Response.json(
                429,
                {"message": "Too Many Attempts."},
                {**budget.headers(), "Retry-After": retry_after},
            )
        try:
            response = route.handler(request, *args)
        except ValidationFailed as failed:
            response = Response.json(422, failed.body())
        except _NotFound as missing:
            response = Response.json(404, {"message": str(missing)})
        response.headers.update(budget.headers())
        garbled = self._faults.take(("bad_body",), route.family, request.path)
        if garbled is not None:
            return _bad_body(garbled, response.headers)
        return response

    def _authenticate(self, request: Request) -> Response | None:
        scheme, _, key = (request.header("Authorization") or "").partition(" ")
        key = key.strip()
        if key and scheme.lower() == "bearer" and key in self._config.forbidden_keys:
            message = "This API key does not have permission to access this resource."
            return Response.json(403, {"message": message})
        if scheme.lower() != "bearer" or key != self._config.api_key:
            return Response.json(401, {"message": "Unauthenticated."})
        return None

    def _failure(self, fault: Fault, budget: Budget) -> Response:
        if fault.status == 429:
            headers = {**Budget(budget.limit, 0).headers(), "Retry-After": str(fault.retry_after)}
            return Response.json(429, {"message": "Too Many Attempts."}, headers)
        phrase = f"{fault.status} {HTTPStatus(fault.status).phrase}"
        if fault.status in (502, 503, 504):  # from the gateway in front of the app: HTML
            page = _GATEWAY_PAGE.format(phrase).encode()
            return Response(fault.status, page, {"Content-Type": "text/html"})
        message = "Server Error" if fault.status == 500 else HTTPStatus(fault.status).phrase
        return Response.json(fault.status, {"message": message}, budget.headers())

    # Lists --------------------------------------------------------------------------------------

    def _list_events(self, request: Request) -> Response:
        query = validation.events_list(php_params(request.query), self._config.zone)
        keyset = ATTRIBUTED_KEYS if query.filter.attribution else EVENT_KEYS
        space = self._space

        def fetch(after: Key | None, forward: bool) -> Iterator[Hit]:
            return hits(space.events, space.data, query.filter, after, descending=not forward)

        page: Page[Hit] = paginate(
            fetch, hit_key, keyset, query.per_page, self._cursor(keyset, query.cursor)
        )
        rows = [list_row(hit, query.fields, self._config.string_amounts) for hit in page.items]
        return self._page(
            rows, page, "/events", query.per_page, request=request, family=EVENTS_LIST
        )

    def _list_contacts(self, request: Request) -> Response:
        query = validation.contacts_list(php_params(request.query), self._config.zone)
        return self._newest_first(
            self._space.contacts,
            query,
            keyset=CONTACT_KEYS,
            key_of=lambda contact: (contact.id,),
            render=lambda contact: contact_row(contact, query.comet_tokens, query.all_emails),
            path="/contacts",
            request=request,
            family=CONTACTS_LIST,
        )

    def _list_companies(self, request: Request) -> Response:
        query = validation.companies_list(php_params(request.query), self._config.zone)
        return self._newest_first(
            self._space.companies,
            query,
            keyset=COMPANY_KEYS,
            key_of=lambda company: (company.created_at, company.id),
            render=lambda company: company_row(company, with_created_at=False),
            path="/companies",
            request=request,
            family=COMPANIES_LIST,
        )

    def _newest_first(
        self,
        records: Records[T],
        query: validation.RecordsRequest,
        *,
        keyset: Keyset,
        key_of: Callable[[T], Key],
        render: Callable[[T], dict[str, Any]],
        path: str,
        request: Request,
        family: str,
    ) -> Response:
        """A page of records created in the query's range, newest (highest id) first."""
        ids = records.created_between(query.lo, query.hi)
        page = paginate(
            lambda after, forward: records.each(descending_ids(ids, after, forward)),
            key_of,
            keyset,
            query.per_page,
            self._cursor(keyset, query.cursor),
        )
        rows = [render(record) for record in page.items]
        return self._page(rows, page, path, query.per_page, request=request, family=family)

    def _cursor(self, keyset: Keyset, token: str | None) -> Cursor | None:
        if token is None:
            return None
        try:
            return keyset.decode(token)
        except InvalidCursor as exc:
            raise ValidationFailed({"cursor": [f"The cursor is invalid: {exc}."]}) from exc

    def _page(
        self,
        rows: list[dict[str, Any]],
        page: Page[Any],
        path: str,
        per_page: int,
        *,
        request: Request,
        family: str,
    ) -> Response:
        if rows and self._faults.take(("no_id",), family, request.path) is not None:
            rows[0] = {name: value for name, value in rows[0].items() if name != "id"}
        if self._config.shuffle_pages:
            # Which order is fixed per page, so a retried request gets the same bytes.
            order = random.Random(mix(self._config.seed, path, str(page.next_cursor)))
            order.shuffle(rows)
        return Response.json(200, page_body(rows, page, self.base_url + path, per_page))

    # Single records -----------------------------------------------------------------------------

    def _one(
        self,
        request: Request,
        raw_id: str,
        *,
        what: str,
        find: Callable[[int], T | None],
        render: Callable[[T], dict[str, Any]],
    ) -> Response:
        """GET /{what}s/{id}: the record under "data", every field, or a 404."""
        del request  # dictated by the route table: every handler gets the request first
        record_id = _as_id(raw_id)
        record = None if record_id is None else find(record_id)
        if record is None:
            raise _NotFound(f"{what} not found.")
        return Response.json(200, {"data": render(record)})

    def _event_row(self, event: Event) -> dict[str, Any]:
        hit = Hit(event, None, event.amount_cents)
        return event_row(hit, BASE_FIELDS, format_sql, self._config.string_amounts)

    # Writes and exports -------------------------------------------------------------------------

    def _track(self, request: Request) -> Response:
        tracked = validation.track(_input(request))
        accepted = Response.json(202, {"status": 202, "message": "Event queued for processing."})
        with self._idempotency_lock:
            key = tracked.idempotency_key
            if key is not None and key in self._idempotency:
                return accepted
            fields = {
                **tracked.fields,
                "profile_id": self._space.data.profile_for(tracked.identity),
            }
            event = self._space.events.add(fields, now=int(self._clock.now()))
            if key is not None:
                self._idempotency[key] = event.id
        return accepted

    def _export_events(self, request: Request) -> Response:
        export = validation.event_export(_input(request), self._config.zone)
        space, string_amounts = self._space, self._config.string_amounts

        def rows() -> Iterator[dict[str, Any]]:
            for hit in hits(space.events, space.data, export.filter):
                yield export_row(hit, export.fields, string_amounts)

        return self._queued(self._exports.create("events", rows, self._job_faults(request)).id)

    def _export_contacts(self, request: Request) -> Response:
        export = validation.contacts_export(_input(request), self._config.zone)
        contacts = self._space.contacts
        ids = contacts.created_between(export.lo, export.hi)

        def rows() -> Iterator[dict[str, Any]]:
            for contact in contacts.each(ids):
                yield contact_row(contact, export.comet_tokens, export.all_emails)

        return self._queued(self._exports.create("contacts", rows, self._job_faults(request)).id)

    def _job_faults(self, request: Request) -> frozenset[str]:
        """The job faults armed for this create request, each spent once."""
        return frozenset(
            kind
            for kind in JOB_KINDS
            if self._faults.take((kind,), EXPORT_CREATE, request.path) is not None
        )

    @staticmethod
    def _queued(export_id: int) -> Response:
        message = "Export job created. Poll its status until it is completed."
        return Response.json(202, {"export_id": export_id, "status": "queued", "message": message})

    def _status(self, kind: str, request: Request, raw_id: str) -> Response:
        export_id = _as_id(raw_id)
        status = None if export_id is None else self._exports.poll(export_id, kind)
        if status is None:
            raise _NotFound("Export not found.")
        body: dict[str, Any] = {
            "export_id": status.id,
            "status": status.status,
            "created_at": format_iso(int(status.created_at)),
        }
        if self._faults.take(("unknown_status",), EXPORT_STATUS, request.path) is not None:
            body["status"] = UNKNOWN_STATUS
            body["message"] = "Export was cancelled."
            return Response.json(200, body)
        if status.status == COMPLETED and status.completed_at is not None:
            # Signed afresh on every call: expiry counts from this status request.
            url, expires_at = self._signer.sign(status.file_name)
            body["completed_at"] = format_iso(int(status.completed_at))
            body["download_url"] = url
            body["expires_at"] = format_iso(expires_at)
        else:
            body["message"] = status.message
        return Response.json(200, body)


def _as_id(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _input(request: Request) -> Mapping[str, Any]:
    """A POST body as Laravel reads it: JSON when declared so, else form fields."""
    if "json" in (request.header("Content-Type") or ""):
        return request.json_body if isinstance(request.json_body, dict) else {}
    return php_params(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))


def _bad_body(fault: Fault, headers: dict[str, str]) -> Response:
    if fault.mode == "html":
        page = b"<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1></body></html>"
        return Response(200, page, {**headers, "Content-Type": "text/html; charset=UTF-8"})
    return Response.json(200, {"message": "OK"}, headers)
