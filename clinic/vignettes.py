"""Driving triage vignettes (tests/vignettes/knee_vignettes.yml) through the assistant and
scoring the level it ends at. Used by `make vignettes` (scripts/vignettes.py) and
tests/test_vignettes.py.

A vignette is an opening message and the facts a runner would type when asked. The
runner answers whatever triage question the assistant asks (its `requested_slot`) with the
matching fact, "not sure" for a question it has no fact for, and stops when the
assistant asks nothing more. The result is the level of care the assistant last advised
(slot `triage_level`), or None when it never reached one.
"""

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import yaml

from clinic.disposition import LEVELS

VIGNETTE_DIR = Path(__file__).resolve().parent.parent / "tests/vignettes"
# The suite the issue #12 bars are measured on, then the sets written blind later (their
# headers say how, and what has been seen of them since).
VIGNETTES = VIGNETTE_DIR / "knee_vignettes.yml"
VIGNETTE_FILES = [VIGNETTES] + sorted(VIGNETTE_DIR.glob("knee_vignettes_unseen*.yml"))
# The question (requested slot) -> the vignette's fact key.
FACT_FOR_SLOT = {
    "pain_location": "pain_location",
    "triage_onset": "onset",
    "triage_duration": "duration",
    "triage_swelling": "swelling",
    "triage_instability": "instability",
    "triage_impact": "impact",
    "triage_night_pain": "night_pain",
    "triage_unwell": "unwell",
    "triage_surgery": "surgery_injection",
    "triage_age": "age",
}
UNKNOWN_ANSWER = "not sure"
MAX_TURNS = 16


def load(path: Path = VIGNETTES) -> List[Dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["vignettes"]


@dataclass
class Result:
    id: str
    gold: str
    level: Optional[str]
    tags: List[str] = field(default_factory=list)
    findings: List[str] = field(default_factory=list)  # slot triage_flags: why the level, as "flag:level:sign"
    turns: List[Dict[str, str]] = field(default_factory=list)  # question asked -> answer given

    @property
    def exact(self) -> bool:
        return self.level == self.gold

    @property
    def safe(self) -> bool:
        """The gold level or more urgent."""
        return self.level is not None and LEVELS.index(self.level) <= LEVELS.index(self.gold)

    @property
    def over_triaged(self) -> bool:
        return self.level is not None and LEVELS.index(self.level) < LEVELS.index(self.gold)


def tracker_state(tracker: Any) -> tuple:
    """What drive() reads from a conversation's tracker after each message."""
    return (
        tracker.active_loop_name,
        tracker.get_slot("requested_slot"),
        tracker.get_slot("triage_level"),
        list(tracker.get_slot("triage_flags") or []),
    )


# say(text) sends one message; state() -> tracker_state(the conversation's tracker).
def drive(vignette: Dict[str, Any], say: Callable[[str], Any], state: Callable[[], tuple]) -> Result:
    result = Result(vignette["id"], vignette["level"], None, list(vignette.get("tags") or []))
    say(vignette["opening"])
    asked: Dict[str, int] = {}
    for _ in range(MAX_TURNS):
        loop, requested, _, _ = state()
        if not loop or not requested:
            break
        asked[requested] = asked.get(requested, 0) + 1
        if asked[requested] > 2:
            break  # the same question a third time: the runner gives up
        fact = FACT_FOR_SLOT.get(requested)
        answer = vignette["facts"].get(fact) if fact and asked[requested] == 1 else None
        answer = str(answer) if answer else UNKNOWN_ANSWER
        result.turns.append({"question": requested, "answer": answer})
        say(answer)
    _, _, result.level, result.findings = state()
    return result


def score(results: List[Result]) -> Dict[str, Any]:
    def share(part: int, whole: int) -> Optional[float]:
        return round(part / whole, 4) if whole else None

    urgent = [r for r in results if r.gold in ("emergency", "same_day")]
    routine = [r for r in results if r.gold in ("self_care", "physio")]
    by_level = {
        level: {"n": sum(r.gold == level for r in results), "exact": sum(r.exact for r in results if r.gold == level)}
        for level in LEVELS
    }
    confusion: Dict[str, Dict[str, int]] = {}
    for r in results:
        row = confusion.setdefault(r.gold, {})
        row[str(r.level)] = row.get(str(r.level), 0) + 1
    return {
        "n": len(results),
        "exact": share(sum(r.exact for r in results), len(results)),
        "safe": share(sum(r.safe for r in results), len(results)),
        "under_triage_urgent": sum(not r.safe for r in urgent),
        "urgent_n": len(urgent),
        "over_triage_routine": share(sum(r.over_triaged for r in routine), len(routine)),
        "routine_n": len(routine),
        "no_recommendation": sum(r.level is None for r in results),
        "by_level": by_level,
        "confusion": confusion,
    }


BARS = {
    "under_triage_urgent": ("<=", 0),
    "safe": (">=", 0.99),
    "exact": (">=", 0.90),
    "over_triage_routine": ("<=", 0.10),
}


def bars_met(summary: Dict[str, Any]) -> Dict[str, bool]:
    met = {}
    for key, (op, bar) in BARS.items():
        value = summary[key]
        met[key] = value is not None and (value <= bar if op == "<=" else value >= bar)
    return met


def as_dict(result: Result) -> Dict[str, Any]:
    return {**asdict(result), "exact": result.exact, "safe": result.safe}
