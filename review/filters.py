"""The conversation list's filters, parsed from a query string (web) or options (CLI).

Bad input never raises: each problem becomes a message for the user, and that filter
is left out, so staff always see a list and know what was ignored."""

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Dict, List, Mapping, Optional, Tuple

from review import clock

# The FallbackClassifier gives up below 0.45 (config.yml); a bit above that are the
# messages the model got right by luck, which are worth a look too.
DEFAULT_THRESHOLD = 0.6
MAX_SEARCH_TERMS = 8
# Days staff can ask about: nothing was said before the first and a day's end after the
# last must still be a date (9999-12-31 has no next day).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


@dataclass
class Filters:
    first_day: Optional[date] = None
    last_day: Optional[date] = None
    channel: str = ""
    intent: str = ""
    low_confidence: bool = False
    threshold: float = DEFAULT_THRESHOLD
    fallback: bool = False
    red_flag: bool = False
    booking: bool = False
    human: bool = False
    reviewed: Optional[bool] = None  # None: both
    tag: str = ""
    search: str = ""

    def time_range(self) -> Tuple[Optional[float], Optional[float]]:
        return clock.day_range(self.first_day, self.last_day)

    def search_terms(self) -> List[str]:
        """Words (or "quoted phrases") that must all appear in what the patient wrote
        (not in the assistant's replies: its disclaimer alone would match most words)."""
        terms, quoted = [], self.search.split('"')
        for index, part in enumerate(quoted):
            if index % 2:
                terms.append(part.strip())
            else:
                terms.extend(part.split())
        return [term for term in terms if term][:MAX_SEARCH_TERMS]

    def as_query(self) -> Dict[str, str]:
        """The query string that gives these filters back (for links and pagination)."""
        query: Dict[str, str] = {}
        for name, value in asdict(self).items():
            if name == "threshold":
                if self.low_confidence:
                    query[name] = f"{value:g}"
            elif name == "reviewed":
                if value is not None:
                    query[name] = "yes" if value else "no"
            elif isinstance(value, bool):
                if value:
                    query[name] = "1"
            elif isinstance(value, date):
                query[name] = value.isoformat()
            elif value:
                query[name] = str(value)
        return query

    @property
    def active(self) -> bool:
        return self != Filters()


TRUE = {"1", "on", "yes", "true"}


def _day(raw: str, label: str, errors: List[str]) -> Optional[date]:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{label} “{raw}” is not a date like 2026-11-22; it was ignored.")
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        errors.append(f"{label} {day} is outside {FIRST_DAY} to {LAST_DAY}; it was ignored.")
        return None
    return day


def parse(args: Mapping[str, str]) -> Tuple[Filters, List[str]]:
    """Filters from request arguments, and messages about anything that was ignored."""
    errors: List[str] = []
    f = Filters(
        first_day=_day(args.get("first_day", ""), "From", errors),
        last_day=_day(args.get("last_day", ""), "To", errors),
        channel=(args.get("channel") or "").strip(),
        intent=(args.get("intent") or "").strip(),
        tag=(args.get("tag") or "").strip().lower(),
        search=(args.get("search") or "").strip()[:200],
    )
    for name in ("low_confidence", "fallback", "red_flag", "booking", "human"):
        setattr(f, name, (args.get(name) or "").lower() in TRUE)
    reviewed = (args.get("reviewed") or "").lower()
    f.reviewed = True if reviewed in TRUE else False if reviewed in {"no", "0", "false"} else None
    raw_threshold = (args.get("threshold") or "").strip()
    if raw_threshold:
        try:
            threshold = float(raw_threshold)
            if not 0 < threshold <= 1:
                raise ValueError
            f.threshold = threshold
        except ValueError:
            errors.append(
                f"The confidence threshold must be a number between 0 and 1 "
                f"(got “{raw_threshold}”); {DEFAULT_THRESHOLD} was used."
            )
    if f.first_day and f.last_day and f.first_day > f.last_day:
        errors.append("The “from” day is after the “to” day, so they were swapped.")
        f.first_day, f.last_day = f.last_day, f.first_day
    return f, errors


def last_days(days: int) -> Tuple[date, date]:
    """The last `days` local days, today included (the summary page's default)."""
    today = clock.local(clock.utcnow()).date()
    return today - timedelta(days=days - 1), today
