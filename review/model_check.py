"""The side-by-side check of a candidate model against the live one, before activation.

Both models parse the held-out sets (tests/nlu/holdout.yml, tests/nlu/fresh_holdout.yml),
the corrected messages and the red flags patients actually reported (messages the live
assistant classified as report_red_flag), with `make evaluate`'s own code (scripts/evaluate.py): accuracy,
macro F1, per-intent F1, red-flag recall (the classifier or the deterministic detector).
Messages that become right and those that become wrong are listed, except for the fresh
held-out set, whose individual messages nobody tuning the training data may see
(scripts/evaluate.py): only their counts are shown.

Activation is refused when red-flag recall drops on any set, or when the triage vignette
suite (scripts/vignettes.py's runner; REVIEW_CHECK_VIGNETTES=0 leaves it out) gets worse.
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


def _parse(model: Path, examples: Dict[str, List[tuple]], cache_dir: Optional[Path]) -> Dict[str, List[dict]]:
    """Each set's rows (text, expected, predicted, ...) as scripts/evaluate.py makes them;
    from the cache when this model already parsed exactly these examples."""
    cached = cache_dir / f"{model.name}.json" if cache_dir else None
    rows: Dict[str, List[dict]] = json.loads(cached.read_text()) if cached and cached.exists() else {}
    todo = {name: pairs for name, pairs in examples.items()
            if [(r["text"], r["expected"]) for r in rows.get(name, [])] != pairs}
    if todo:
        from rasa.core.agent import Agent

        evaluate.quiet_logging()  # Rasa logs every parse at debug level otherwise
        agent = Agent.load(str(model))
        for name, pairs in todo.items():
            parsed = asyncio.run(evaluate.parse_all(agent, [text for text, _ in pairs]))
            rows[name] = [{"text": text, "expected": expected, **found}
                          for (text, expected), found in zip(pairs, parsed)]
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
    f1 = {i: (old["per_intent"].get(i, {}).get("f1", 0.0), new["per_intent"].get(i, {}).get("f1", 0.0))
          for i in intents}

    def listed(found):
        if name in HIDDEN:
            return []
        return [{"text": n["text"], "expected": n["expected"], "was": o["predicted"],
                 "now": n["predicted"]} for o, n in found[:LISTED]]

    return {
        "examples": len(pairs),
        "accuracy": [old["accuracy"], new["accuracy"]],
        "macro_f1": [old["macro_f1"], new["macro_f1"]],
        "red_flag": [old["red_flag"], new["red_flag"]],
        "became_right": len(right), "became_wrong": len(wrong),
        "right": listed(right), "wrong": listed(wrong),
        "f1_changes": {i: [round(a, 4), round(b, 4), round(b - a, 4)] for i, (a, b) in f1.items()
                       if abs(b - a) >= 0.005},
    }


def compare(candidate: Path, live: Path, corrections: List[Dict[str, Any]],
            red_flags_seen: List[str] = (), cache_dir: Optional[Path] = None) -> Dict[str, Any]:
    """The check's numbers and verdict: {"sets": {...}, "allowed": bool, "refusals": [...],
    "summary": {...}} (JSON-ready). `red_flags_seen`: patients' messages the live assistant
    took as red flags; the candidate must still recognise them."""
    held_out = {name: [tuple(p) for p in evaluate.load_examples(path)]
                for name, path in SETS.items() if path.exists()}
    live_rows = _parse(live, held_out, cache_dir)
    new_rows = _parse(candidate, held_out, cache_dir)
    if corrections:
        latest: Dict[str, str] = {}
        for correction in corrections:  # newest first: the latest intent per text
            latest.setdefault(correction["text"], correction["intent"])
        corrected = {"corrections": sorted(latest.items())}
        live_rows.update(_parse(live, corrected, None))
        new_rows.update(_parse(candidate, corrected, None))
    if red_flags_seen:
        seen = {"red_flags_seen": [(text, evaluate.RED_FLAG) for text in dict.fromkeys(red_flags_seen)]}
        live_rows.update(_parse(live, seen, None))
        new_rows.update(_parse(candidate, seen, None))
    sets = {name: _side_by_side(name, live_rows[name], new_rows[name]) for name in live_rows}
    refusals = []
    for name, found in sets.items():
        before, after = (r["recall"] for r in found["red_flag"])
        if before is not None and after is not None and after < before:
            refusals.append(f"red-flag recall on {name} drops from {before:.1%} to {after:.1%}")
    vignettes = _vignettes(candidate, live, cache_dir)
    if vignettes and vignettes.get("worse"):
        refusals.append(vignettes["worse"])
    return {
        "candidate": candidate.name, "live": live.name, "sets": sets, "vignettes": vignettes,
        "allowed": not refusals, "refusals": refusals,
        "summary": {name: {"accuracy": found["accuracy"][1],
                           "red_flag_recall": found["red_flag"][1]["recall"],
                           "became_wrong": found["became_wrong"]}
                    for name, found in sets.items()},
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
    actions = ManagedProcess([str(BIN / "rasa"), "run", "actions", "--actions", "actions",
                              "--port", str(port)], log_name="check-vignette-actions")
    try:
        wait_for_url(f"http://127.0.0.1:{port}/health", actions.process, timeout=120)
        results = asyncio.run(runner.run_all(model, f"http://127.0.0.1:{port}/webhook",
                                             vignettes.load(), False))
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
    if (after["safe"] or 0) < (before["safe"] or 0) or \
            after["under_triage_urgent"] > before["under_triage_urgent"]:
        found["worse"] = (f"the triage vignettes get worse: safe {before['safe']:.1%} -> "
                          f"{after['safe']:.1%}, urgent ones under-triaged "
                          f"{before['under_triage_urgent']} -> {after['under_triage_urgent']}")
    return found
