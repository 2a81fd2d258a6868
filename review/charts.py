"""Charts staff read at a glance, drawn on the server as SVG with matplotlib (already a
Rasa dependency; nothing from a CDN, no script in the page: the app's CSP stays strict).

`collect()` reads the numbers for a range of days (the same conversations and filters as
the list and the summary); `svg()` draws one chart. The page shows each chart as an image
with its numbers in a table underneath, for screen readers and small screens."""

import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Dict, List, Tuple

import sqlalchemy as sa

from clinic.bookings import booking_requests
from review import clock, conversations
from review.filters import Filters
from review.tables import events

TRIAGE_FORM = "triage_form"
TRIAGE_OUTCOME = "triage_outcome"
OUTCOMES = ["self_care", "physio", "urgent"]
COLOURS = {"blue": "#1f5fbf", "red": "#b3261e", "amber": "#8a5a00", "green": "#1e6b34", "grey": "#5c6475"}
OUTCOME_COLOURS = {"self_care": COLOURS["green"], "physio": COLOURS["blue"], "urgent": COLOURS["red"]}


@dataclass
class Stats:
    days: List[date]
    conversations: Dict[date, int] = field(default_factory=Counter)
    messages: Dict[date, int] = field(default_factory=Counter)
    not_understood: Dict[date, int] = field(default_factory=Counter)
    red_flags: Dict[date, int] = field(default_factory=Counter)  # conversations
    outcomes: Dict[str, Dict[date, int]] = field(default_factory=lambda: defaultdict(Counter))
    requests: Dict[str, Dict[date, int]] = field(default_factory=lambda: defaultdict(Counter))
    funnel: List[Tuple[str, int]] = field(default_factory=list)

    def share_not_understood(self, day: date) -> float:
        return 100.0 * self.not_understood[day] / self.messages[day] if self.messages[day] else 0.0


def collect(engine, first: date, last: date) -> Stats:
    stats = Stats([first + timedelta(days=n) for n in range((last - first).days + 1)])
    rows = conversations.find_all(engine, Filters(first_day=first, last_day=last))
    for row in rows:
        day = clock.local(row.started).date()
        stats.conversations[day] += 1
        stats.red_flags[day] += row.red_flag
    start, end = clock.day_range(first, last)
    e = events.c
    in_range = sa.and_(e.timestamp >= start, e.timestamp < end)
    with engine.connect() as db:
        for timestamp, intent in db.execute(
            sa.select(e.timestamp, e.intent_name).where(in_range, e.type_name == "user")
        ):
            day = clock.local(timestamp).date()
            stats.messages[day] += 1
            stats.not_understood[day] += intent == conversations.FALLBACK_INTENT
        triaged = set()
        for sender, type_name, timestamp, data in db.execute(
            sa.select(e.sender_id, e.type_name, e.timestamp, e.data).where(
                in_range,
                sa.or_(
                    sa.and_(e.type_name == "active_loop", e.action_name == TRIAGE_FORM),
                    sa.and_(e.type_name == "slot", e.action_name == TRIAGE_OUTCOME),
                ),
            )
        ):
            triaged.add(sender)
            value = conversations.sanitize.event_data(data).get("value")
            if type_name == "slot" and value in OUTCOMES:
                stats.outcomes[value][clock.local(timestamp).date()] += 1
        # UTC, as stored (see review.summary).
        since, until = (datetime.fromtimestamp(t, timezone.utc) for t in (start, end))
        table = booking_requests
        for kind, created, sender in db.execute(
            sa.select(table.c.kind, table.c.created_at, table.c.conversation_id).where(
                table.c.created_at >= since, table.c.created_at < until
            )
        ):
            stats.requests[kind][clock.local(created).date()] += 1
    talked = {row.conversation_id for row in rows}
    booked = {row.conversation_id for row in rows if row.booking}
    stats.funnel = [
        ("wrote a message", len(talked)),
        ("answered triage questions", len(talked & triaged)),
        ("asked to book", len(talked & triaged & booked)),
    ]
    return stats


# --- drawing ------------------------------------------------------------------------------


def _figure(title: str):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.2, 3.2), dpi=100)  # about a phone's width
    axes = figure.add_subplot()
    axes.set_title(title, loc="left", fontsize=12, fontweight="bold")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="y", color="#d9dde5", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def _days_axis(axes, days: List[date]) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axes.set_xlim(days[0] - timedelta(days=0.7), days[-1] + timedelta(days=0.7))
    axes.yaxis.get_major_locator().set_params(integer=True)


def _bars(title: str, days: List[date], series: Dict[str, Dict[date, int]], colours: Dict[str, str]):
    """Stacked bars per day, one colour per series (with a legend when there are several)."""
    figure, axes = _figure(title)
    bottom = [0] * len(days)
    for name, counts in series.items():
        values = [counts.get(day, 0) for day in days]
        axes.bar(
            days,
            values,
            bottom=bottom,
            width=0.8,
            color=colours.get(name, COLOURS["grey"]),
            label=name.replace("_", " "),
        )
        bottom = [b + v for b, v in zip(bottom, values)]
    if len(series) > 1:
        axes.legend(frameon=False, fontsize=9, ncol=len(series), loc="upper left")
        axes.set_ylim(0, max(bottom + [1]) * 1.3)
    _days_axis(axes, days)
    return figure


def _share_chart(stats: Stats):
    figure, axes = _figure("Messages not understood (% of patient messages)")
    axes.plot(
        stats.days,
        [stats.share_not_understood(d) for d in stats.days],
        color=COLOURS["amber"],
        marker="o",
        markersize=3,
    )
    axes.set_ylim(0, 100)
    _days_axis(axes, stats.days)
    return figure


def _funnel_chart(stats: Stats):
    figure, axes = _figure("From first message to triage to booking (conversations)")
    labels = [label for label, _ in stats.funnel][::-1]
    values = [count for _, count in stats.funnel][::-1]
    axes.barh(labels, values, color=[COLOURS["green"], COLOURS["blue"], COLOURS["grey"]])
    axes.grid(axis="x", color="#d9dde5", linewidth=0.8)
    axes.grid(axis="y", visible=False)
    top = max(values + [1])
    for y, value in enumerate(values):
        axes.text(value + top * 0.01, y, f"{value}", va="center", fontsize=10)
    axes.set_xlim(0, top * 1.15)
    axes.xaxis.get_major_locator().set_params(integer=True)
    figure.subplots_adjust(left=0.33)
    return figure


CHARTS: Dict[str, Tuple[str, Callable[[Stats], object]]] = {
    "conversations": (
        "Conversations per day",
        lambda s: _bars(
            "Conversations per day", s.days, {"conversations": s.conversations}, {"conversations": COLOURS["blue"]}
        ),
    ),
    "not-understood": ("Share of messages not understood", _share_chart),
    "red-flags": (
        "Conversations with a red flag",
        lambda s: _bars(
            "Conversations with a red flag, per day", s.days, {"red flags": s.red_flags}, {"red flags": COLOURS["red"]}
        ),
    ),
    "triage": (
        "Triage outcomes",
        lambda s: _bars(
            "Triage outcomes per day", s.days, {o: s.outcomes.get(o, {}) for o in OUTCOMES}, OUTCOME_COLOURS
        ),
    ),
    "requests": (
        "Booking requests",
        lambda s: _bars(
            "Booking and staff requests per day",
            s.days,
            dict(sorted(s.requests.items())) or {"booking": {}},
            {
                "booking": COLOURS["blue"],
                "change": COLOURS["amber"],
                "cancel": COLOURS["red"],
                "human": COLOURS["green"],
            },
        ),
    ),
    "funnel": ("First message → triage → booking", _funnel_chart),
}


def svg(name: str, stats: Stats) -> str:
    """The chart `name` (a key of CHARTS) as an SVG document."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    # Text as text (small, selectable, scales on a phone); ids that don't change per run.
    with rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": "review-charts", "font.family": "sans-serif", "font.size": 11}
    ):
        figure = CHARTS[name][1](stats)
        if name != "funnel":  # the funnel sets its own margin for the long labels
            figure.tight_layout()
        out = io.StringIO()
        FigureCanvasSVG(figure).print_svg(out, metadata={"Date": None, "Creator": None})
    return out.getvalue()
