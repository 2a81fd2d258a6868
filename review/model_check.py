"""The side-by-side check of a candidate model against the live one, before activation.

Both models parse the held-out sets (tests/nlu/holdout.yml, tests/nlu/fresh_holdout.yml),
the corrected messages and the red flags patients actually reported (messages the live
assistant classified as report_red_flag), with `make evaluate`'s own code (scripts/evaluate.py): accuracy,
macro F1, per-intent F1, and red-flag recall twice: what patients get (the classifier or the
deterministic detector) and the classifier alone (its own intent, before the detector forced
report_red_flag). Messages that become right and those that become wrong are listed, except
for the fresh held-out set, whose individual messages nobody tuning the training data may see
(scripts/evaluate.py): only their counts are shown.

Activation is refused when red-flag recall drops on any set, when the classifier's own
recall drops on the messages patients sent (the red flags they reported, the corrected
messages), or when the triage vignette suite (scripts/vignettes.py's runner;
REVIEW_CHECK_VIGNETTES=0 leaves it out) gets worse. The classifier alone counts because the
detector knows only its patterns: a correction that relabels red flags as something harmless
leaves every phrasing the detector knows caught, and teaches the classifier, the net for the
phrasings it does not know, to let them pass. On the held-out sets it is shown, not a gate:
any retraining moves a few of those messages (the small test config: 42 or 43 of 46 on the
fresh set against the live model's 45, every one still caught by the detector), and a refusal
on that would stop every run.
A model's results are cached by its file name, so the live model is parsed once, not at every run."""

import asyncio
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional

from scripts import evaluate

SETS = {"holdout": evaluate.OLD_HOLDOUT, "fresh_holdout": evaluate.FRESH_HOLDOUT}
HIDDEN = {"fresh_holdout"}  # their messages are never shown
LISTED = 50  # at most this many messages that became right / wrong per set


class _Recorded:
    """An agent that keeps each parse, for what scripts/evaluate.py's rows leave out."""

    def __init__(self, agent) -> None:
        self.agent, self.parsed = agent, []

    async def parse_message(self, text: str) -> dict:
        parsed = await self.agent.parse_message(text)
        self.parsed.append(parsed)
        return parsed


def _classifier_intent(parsed: dict) -> Optional[str]:
    """The intent before the red-flag detector (components/red_flags.py) forced its own."""
    detector = parsed.get("red_flag_detector") or {}
    if detector.get("action") == "forced":
        return (detector.get("classifier_intent") or {}).get("name")
    return (parsed.get("intent") or {}).get("name")


def _parse(model: Path, examples: Dict[str, List[tuple]], cache_dir: Optional[Path]) -> Dict[str, List[dict]]:
    """Each set's rows (text, expected, predicted, ...) as scripts/evaluate.py makes them,
    plus the classifier's own intent; from the cache when this model already parsed exactly
    these examples."""
    cached = cache_dir / f"{model.name}.json" if cache_dir else None
    rows: Dict[str, List[dict]] = json.loads(cached.read_text()) if cached and cached.exists() else {}
    todo = {
        name: pairs
        for name, pairs in examples.items()
        if [(r["text"], r["expected"]) for r in rows.get(name, [])] != pairs
        or not all("classifier" in r for r in rows.get(name, []))
    }
    if todo:
        from rasa.core.agent import Agent

        evaluate.quiet_logging()  # Rasa logs every parse at debug level otherwise
        agent = Agent.load(str(model))
        for name, pairs in todo.items():
            recorded = _Recorded(agent)
            parsed = asyncio.run(evaluate.parse_all(recorded, [text for text, _ in pairs]))
            rows[name] = [
                {"text": text, "expected": expected, **found, "classifier": _classifier_intent(raw)}
                for (text, expected), found, raw in zip(pairs, parsed, recorded.parsed)
            ]
        if cached:
            cache_dir.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps({k: v for k, v in rows.items() if k in SETS}))
    return {name: rows[name] for name in examples}


def _side_by_side(name: str, old_rows: List[dict], new_rows: List[dict]) -> Dict[str, Any]:
    old, new = evaluate.score(old_rows, False), evaluate.score(new_rows, False)
    pairs = list(zip(old_rows, new_rows))
    right = [(o, n) for o, n in pairs if o["predicted"] != o["expected"] == n["predicted"]]
    wrong = [(o, n) for o, n in pairs if o["predicted"] == o["expected"] != n["predicted"]]
    intents = sorted(set(old["per_intent"]) | set(new["per_intent"]))
    f1 = {
        i: (old["per_intent"].get(i, {}).get("f1", 0.0), new["per_intent"].get(i, {}).get("f1", 0.0)) for i in intents
    }

    def listed(found):
        if name in HIDDEN:
            return []
        return [
            {"text": n["text"], "expected": n["expected"], "was": o["predicted"], "now": n["predicted"]}
            for o, n in found[:LISTED]
        ]

    return {
        "examples": len(pairs),
        "accuracy": [old["accuracy"], new["accuracy"]],
        "macro_f1": [old["macro_f1"], new["macro_f1"]],
        "red_flag": [old["red_flag"], new["red_flag"]],
        "red_flag_classifier": [_classifier_recall(old_rows), _classifier_recall(new_rows)],
        "became_right": len(right),
        "became_wrong": len(wrong),
        "right": listed(right),
        "wrong": listed(wrong),
        "f1_changes": {
            i: [round(a, 4), round(b, 4), round(b - a, 4)] for i, (a, b) in f1.items() if abs(b - a) >= 0.005
        },
    }


def _classifier_recall(rows: List[dict]) -> Dict[str, Any]:
    return evaluate.recall(rows, evaluate.RED_FLAG, lambda r: r["classifier"] == evaluate.RED_FLAG)


# Refused when these drop: (key, what the page says, the sets it gates; None: every set).
GATES = (
    ("red_flag", "red-flag recall", None),
    ("red_flag_classifier", "the classifier's own red-flag recall", {"red_flags_seen", "corrections"}),
)


def compare(
    candidate: Path,
    live: Path,
    corrections: List[Dict[str, Any]],
    red_flags_seen: List[str] = (),
    cache_dir: Optional[Path] = None,
) -> Dict[str, Any]:
    """The check's numbers and verdict: {"sets": {...}, "allowed": bool, "refusals": [...],
    "summary": {...}} (JSON-ready). `red_flags_seen`: patients' messages the live assistant
    took as red flags; the candidate must still recognise them."""
    examples = {name: [tuple(p) for p in evaluate.load_examples(path)] for name, path in SETS.items() if path.exists()}
    if corrections:
        latest: Dict[str, str] = {}
        for correction in corrections:  # newest first: the latest intent per text
            latest.setdefault(correction["text"], correction["intent"])
        examples["corrections"] = sorted(latest.items())
    if red_flags_seen:
        examples["red_flags_seen"] = [(text, evaluate.RED_FLAG) for text in dict.fromkeys(red_flags_seen)]
    # One load of each model for every set (loading the live one takes longer than parsing).
    live_rows = _parse(live, examples, cache_dir)
    new_rows = _parse(candidate, examples, cache_dir)
    sets = {name: _side_by_side(name, live_rows[name], new_rows[name]) for name in live_rows}
    refusals = []
    for name, found in sets.items():
        for key, said, gated in GATES:
            if gated is not None and name not in gated:
                continue
            before, after = (r["recall"] for r in found[key])
            if before is not None and after is not None and after < before:
                refusals.append(f"{said} on {name} drops from {before:.1%} to {after:.1%}")
    vignettes = _vignettes(candidate, live, cache_dir)
    if vignettes and vignettes.get("worse"):
        refusals.append(vignettes["worse"])
    return {
        "candidate": candidate.name,
        "live": live.name,
        "sets": sets,
        "vignettes": vignettes,
        "allowed": not refusals,
        "refusals": refusals,
        "summary": {
            name: {
                "accuracy": found["accuracy"][1],
                "red_flag_recall": found["red_flag"][1]["recall"],
                "red_flag_classifier_recall": found["red_flag_classifier"][1]["recall"],
                "became_wrong": found["became_wrong"],
            }
            for name, found in sets.items()
        },
    }


def _vignette_summary(model: Path, cache_dir: Optional[Path]) -> Dict[str, Any]:
    """The vignette suite's scores for one model (scripts/vignettes.py's runner), cached."""
    cached = cache_dir / f"{model.name}.vignettes.json" if cache_dir else None
    if cached and cached.exists():
        return json.loads(cached.read_text())
    from clinic import vignettes
    from scripts import vignettes as runner
    from tests.support.processes import BIN, ManagedProcess, free_port, wait_for_url

    port = free_port()
    actions = ManagedProcess(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
        log_name="check-vignette-actions",
    )
    try:
        wait_for_url(f"http://127.0.0.1:{port}/health", actions.process, timeout=120)
        results = asyncio.run(runner.run_all(model, f"http://127.0.0.1:{port}/webhook", vignettes.load(), False))
    finally:
        actions.stop()
    summary = vignettes.score(results)
    if cached:
        cache_dir.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(summary))
    return summary


def _vignettes(candidate: Path, live: Path, cache_dir: Optional[Path]) -> Optional[Dict[str, Any]]:
    """Both models on the triage vignettes; "worse" when the candidate sends fewer of them
    to a safe level of care (the gold level or more urgent) or under-triages more urgent ones."""
    if os.environ.get("REVIEW_CHECK_VIGNETTES", "1") == "0":
        return None
    before, after = _vignette_summary(live, cache_dir), _vignette_summary(candidate, cache_dir)
    keys = ("n", "exact", "safe", "under_triage_urgent", "urgent_n", "no_recommendation")
    found = {"live": {k: before[k] for k in keys}, "new": {k: after[k] for k in keys}}
    if (after["safe"] or 0) < (before["safe"] or 0) or after["under_triage_urgent"] > before["under_triage_urgent"]:
        found["worse"] = (
            f"the triage vignettes get worse: safe {before['safe']:.1%} -> "
            f"{after['safe']:.1%}, urgent ones under-triaged "
            f"{before['under_triage_urgent']} -> {after['under_triage_urgent']}"
        )
    return found
