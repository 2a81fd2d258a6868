"""`make evaluate`: model-quality report on the held-out messages (tests/nlu/holdout.yml).

Loads the trained model in models/ that matches the current data and config (as named
by `make train`), else the newest one there, or the one given with --model, parses every
held-out example and prints accuracy, macro F1, the weakest intents, the most frequent
confusions and every miss. Out-of-scope recall and red-flag recall are reported on
their own: a red flag counts as caught when the classifier predicts report_red_flag OR
the deterministic detector (clinic.safety.detect_red_flags, when it exists) fires.
Everything is also written to reports/evaluation.json.

It is a report, not a gate: it exits 0 whatever the numbers (non-zero only when it
cannot run at all), and prints a PASS/FAIL line against the 95% accuracy target.
"""
import argparse
import warnings

warnings.filterwarnings("ignore")  # keep the report readable (TensorFlow/pyparsing deprecations)
import asyncio
import json
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

TARGET_ACCURACY = 0.95
TARGET_OOS_RECALL = 0.90
TARGET_RED_FLAG_RECALL = 1.0
OUT_OF_SCOPE = "out_of_scope"
RED_FLAG = "report_red_flag"


def quiet_logging() -> None:
    """Rasa logs every parse at debug level through structlog; keep the report readable."""
    import warnings

    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.WARNING)
    for noisy in ("rasa", "tensorflow", "absl", "spacy", "sanic"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    try:
        from rasa.utils.common import configure_logging_and_warnings
        from rasa.utils.log_utils import configure_structlog

        configure_logging_and_warnings(logging.ERROR)
        configure_structlog(logging.ERROR)
    except Exception:  # older/newer Rasa: the standard logging settings above still apply
        pass


def default_model(models_dir: Path) -> Path:
    """The model `make train` made for the current data and config, else the newest one."""
    try:
        from clinic.training import model_path  # names models after a hash of their inputs

        current = model_path()
        if current.exists():
            return current
    except Exception:  # no such helper (or it failed): fall back to the newest model
        pass
    models = sorted(models_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        sys.exit(f"No trained model in {models_dir}: run `make train` first.")
    return models[-1]


def load_red_flag_detector():
    """clinic.safety.detect_red_flags(text) -> list of flag names, if a colleague's module exists."""
    try:
        from clinic.safety import detect_red_flags  # type: ignore
    except Exception as error:  # module missing or broken: count the classifier only
        return None, f"not used ({type(error).__name__}: {error})"
    return detect_red_flags, "clinic.safety.detect_red_flags"


def load_examples(path: Path):
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path))
    examples = []
    for message in data.intent_examples:
        text = message.get("text")
        intent = message.get("intent")
        if text and intent:
            examples.append((text, intent))
    return examples


async def parse_all(model_path: Path, texts):
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))
    results = []
    for text in texts:
        parsed = await agent.parse_message(text)
        intent = parsed.get("intent") or {}
        ranking = parsed.get("intent_ranking") or []
        # With FallbackClassifier the top intent may be nlu_fallback; keep the best real
        # intent too, so the report shows what the classifier leaned towards.
        best_real = next((r for r in ranking if r.get("name") != "nlu_fallback"), intent)
        results.append(
            {
                "predicted": intent.get("name"),
                "confidence": float(intent.get("confidence") or 0.0),
                "best_real_intent": best_real.get("name"),
                "best_real_confidence": float(best_real.get("confidence") or 0.0),
                "entities": [
                    {"entity": e.get("entity"), "value": e.get("value")}
                    for e in parsed.get("entities") or []
                ],
            }
        )
    return results


def recall(rows, label, caught=None):
    relevant = [r for r in rows if r["expected"] == label]
    if not relevant:
        return None, 0, 0
    hits = sum(1 for r in relevant if (caught(r) if caught else r["predicted"] == label))
    return hits / len(relevant), hits, len(relevant)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model .tar.gz (default: the one matching the current inputs, else the newest in models/)")
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT / "tests/nlu/holdout.yml")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports/evaluation.json")
    parser.add_argument("--worst", type=int, default=10, help="how many weakest intents to print")
    args = parser.parse_args()

    quiet_logging()

    model_path = args.model or default_model(PROJECT_ROOT / "models")
    examples = load_examples(args.data)
    if not examples:
        sys.exit(f"No examples in {args.data}")
    detect_red_flags, detector_note = load_red_flag_detector()

    started = time.time()
    parsed = asyncio.run(parse_all(model_path, [t for t, _ in examples]))
    elapsed = time.time() - started

    rows = []
    for (text, expected), result in zip(examples, parsed):
        flags = []
        if detect_red_flags is not None:
            try:
                flags = list(detect_red_flags(text) or [])
            except Exception as error:  # a broken detector must not hide the report
                flags = []
                detector_note = f"raised {type(error).__name__}: {error}"
        rows.append({"text": text, "expected": expected, **result, "detector_flags": flags})

    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    y_true = [r["expected"] for r in rows]
    y_pred = [r["predicted"] or "None" for r in rows]
    labels = sorted(set(y_true))
    accuracy = accuracy_score(y_true, y_pred)
    macro_f1 = f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
    precision, rec, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    per_intent = {
        label: {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, rec, f1, support)
    }
    confusions = Counter((r["expected"], r["predicted"]) for r in rows if r["expected"] != r["predicted"])
    misses = [r for r in rows if r["expected"] != r["predicted"]]
    fallbacks = sum(1 for r in rows if r["predicted"] == "nlu_fallback")

    oos_recall, oos_hits, oos_total = recall(rows, OUT_OF_SCOPE)
    # The assistant's fallback also declines politely, so report that variant too.
    oos_handled, oos_handled_hits, _ = recall(
        rows, OUT_OF_SCOPE, caught=lambda r: r["predicted"] in (OUT_OF_SCOPE, "nlu_fallback")
    )
    rf_clf_recall, rf_clf_hits, rf_total = recall(rows, RED_FLAG)
    rf_recall, rf_hits, _ = recall(
        rows, RED_FLAG, caught=lambda r: r["predicted"] == RED_FLAG or bool(r["detector_flags"])
    )
    missed_red_flags = [
        r["text"] for r in rows
        if r["expected"] == RED_FLAG and r["predicted"] != RED_FLAG and not r["detector_flags"]
    ]
    # Messages that are not red flags but were treated as one (by classifier or detector).
    false_alarms = [
        {"text": r["text"], "expected": r["expected"], "predicted": r["predicted"],
         "detector_flags": r["detector_flags"]}
        for r in rows
        if r["expected"] != RED_FLAG and (r["predicted"] == RED_FLAG or r["detector_flags"])
    ]

    accuracy = float(accuracy)
    passed = bool(accuracy >= TARGET_ACCURACY)
    report = {
        "model": str(model_path.relative_to(PROJECT_ROOT) if model_path.is_relative_to(PROJECT_ROOT) else model_path),
        "data": str(args.data),
        "examples": len(rows),
        "seconds": round(elapsed, 1),
        "accuracy": round(accuracy, 4),
        "macro_f1": round(float(macro_f1), 4),
        "target_accuracy": TARGET_ACCURACY,
        "passed": passed,
        "nlu_fallback_predictions": fallbacks,
        "out_of_scope_recall": None if oos_recall is None else round(oos_recall, 4),
        "out_of_scope": {"caught": oos_hits, "total": oos_total, "target": TARGET_OOS_RECALL,
                         "recall_counting_nlu_fallback": None if oos_handled is None else round(oos_handled, 4)},
        "red_flag_recall": None if rf_recall is None else round(rf_recall, 4),
        "red_flag": {
            "caught": rf_hits, "total": rf_total,
            "classifier_only_recall": None if rf_clf_recall is None else round(rf_clf_recall, 4),
            "detector": detector_note,
            "missed": missed_red_flags,
            "false_alarms": false_alarms,
        },
        "per_intent": per_intent,
        "confusions": [
            {"expected": e, "predicted": p, "count": c} for (e, p), c in confusions.most_common()
        ],
        "misses": [
            {k: r[k] for k in ("text", "expected", "predicted", "confidence",
                               "best_real_intent", "best_real_confidence")}
            for r in misses
        ],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    # ---- human-readable summary
    print(f"\nModel: {report['model']}")
    print(f"Held-out examples: {len(rows)} from {args.data.relative_to(PROJECT_ROOT) if args.data.is_relative_to(PROJECT_ROOT) else args.data} "
          f"({len(labels)} intents, parsed in {elapsed:.1f}s)")
    print(f"Accuracy:  {accuracy:.2%}   Macro F1: {macro_f1:.4f}   nlu_fallback: {fallbacks}")
    if oos_recall is not None:
        mark = "ok" if oos_recall >= TARGET_OOS_RECALL else "BELOW TARGET"
        print(f"Out-of-scope recall: {oos_recall:.2%} ({oos_hits}/{oos_total}, target {TARGET_OOS_RECALL:.0%}) {mark}"
              f"; counting nlu_fallback as handled: {oos_handled:.2%}")
    if rf_recall is not None:
        mark = "ok" if rf_recall >= TARGET_RED_FLAG_RECALL else "BELOW TARGET"
        print(f"Red-flag recall (classifier or detector): {rf_recall:.2%} ({rf_hits}/{rf_total}) {mark}; "
              f"classifier alone {rf_clf_recall:.2%}; detector: {detector_note}")
        for text in missed_red_flags:
            print(f"  MISSED RED FLAG: {text}")
        if false_alarms:
            print(f"  Non-red-flag messages flagged: {len(false_alarms)}")

    worst = sorted(per_intent.items(), key=lambda kv: (kv[1]["f1"], kv[0]))[: args.worst]
    print(f"\nWeakest {len(worst)} intents:")
    print(f"  {'intent':<24} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>4}")
    for label, m in worst:
        print(f"  {label:<24} {m['precision']:>6.2f} {m['recall']:>6.2f} {m['f1']:>6.2f} {m['support']:>4}")

    if confusions:
        print("\nMost frequent confusions (expected -> predicted):")
        for (e, p), c in confusions.most_common(15):
            print(f"  {c:>3}  {e} -> {p}")

    if misses:
        print(f"\nAll {len(misses)} misses:")
        for r in sorted(misses, key=lambda r: (r["expected"], r["predicted"] or "")):
            extra = ""
            if r["predicted"] == "nlu_fallback":
                extra = f" [best: {r['best_real_intent']} {r['best_real_confidence']:.2f}]"
            print(f"  - {r['text']!r}\n      expected {r['expected']}, got {r['predicted']} "
                  f"({r['confidence']:.2f}){extra}")

    print(f"\nReport written to {args.out}")
    verdict = "PASS" if passed else "FAIL"
    print(f"\n{verdict}: held-out intent accuracy {accuracy:.2%} (target {TARGET_ACCURACY:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
