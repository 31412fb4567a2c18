"""The deadline calendar as iCalendar (RFC 5545): one all-day event per deadline or dated schedule step."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar as ICalendar
from icalendar import Event

from grants.catalogue import stream_get

from .selectors import Calendar, CalendarEntry


def _uid(entry: CalendarEntry) -> str:
    """Stable across re-imports of a schedule, so subscribed clients update events instead of duplicating them."""
    if entry.case is not None:
        return f"case-{entry.case.pk}-deadline@grants"
    step = entry.step
    return f"step-{step.version.key}-{step.stream}-{step.sub_procedure}-{step.key}@grants"


def _event(entry: CalendarEntry, stamp) -> Event:
    event = Event()
    first = entry.effective or entry.starts
    last = entry.effective or entry.ends
    event.add("uid", _uid(entry))
    event.add("dtstamp", stamp)
    event.add("dtstart", first)
    event.add("dtend", last + timedelta(days=1))  # DTEND of an all-day event is exclusive
    prefix = "【期限超過】" if entry.overdue else ""
    event.add("summary", f"{prefix}{entry.title_ja}")
    lines = [stream_get(entry.stream).label_ja, entry.date_text_ja]
    if entry.stated and entry.stated != entry.effective:
        lines.append(f"（行政機関の休日のため {entry.stated:%Y-%m-%d} から繰下げ）")
    event.add("description", "\n".join(line for line in lines if line))
    event.add("categories", [entry.kind])
    event.add("transp", "TRANSPARENT")
    return event


def calendar_ics(calendar: Calendar) -> bytes:
    """Every dated entry of ``calendar``; undecided ones have no day and are left out."""
    feed = ICalendar()
    feed.add("prodid", "-//Kanto-Shinetsu grants//calendar//JA")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", "交付金スケジュール・提出期限")
    feed.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for entry in calendar.entries:
        feed.add_component(_event(entry, stamp))
    return feed.to_ical()
