"""The tap's streams, one module each."""

from tap_cometly.streams.attributions import EventAttributionsStream
from tap_cometly.streams.companies import CompaniesStream
from tap_cometly.streams.contacts import ContactsStream
from tap_cometly.streams.events import EventsStream

__all__ = ["CompaniesStream", "ContactsStream", "EventAttributionsStream", "EventsStream"]
