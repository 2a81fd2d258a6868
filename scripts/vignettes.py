"""`make vignettes`: drive every triage vignette through the real trained assistant and
report how well its level of care matches the clinicians' gold level.

The trained model in models/ for the current data (or --model / KNEE_MODEL) is loaded
in-process with the real action server, as tests/conftest.py does; each vignette is a new
conversation (clinic/vignettes.py answers the assistant's questions in the vignette's
typed words). Prints exact-level accuracy, safe rate (gold level or more urgent),
under-triage of emergency and same-day vignettes, over-triage of self-care and physio
vignettes, and the issue #12 bars, for each vignette file (default: all of
clinic.vignettes.VIGNETTE_FILES; the bars are the main suite's); writes everything to
reports/vignettes.json (main suite) and reports/vignettes_unseen*.json.
It is a report, not a gate: it exits 0 whatever the numbers.

Never tune against the vignettes (see the header of the vignette file): fix general
causes, not a vignette's phrasing.
"""

import argparse
import warnings

warnings.filterwarnings("ignore")
import asyncio
import json
import logging
import os
import sys
import time
import uuid
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from clinic import vignettes  # noqa: E402
from clinic.environment import load_environment  # noqa: E402
from tests.support.processes import BIN, ManagedProcess, free_port, wait_for_url  # noqa: E402

REPORTS = PROJECT_ROOT / "reports"


def report_path(file: Path) -> Path:
    """reports/vignettes.json for the main suite, reports/vignettes_unseen.json for
    knee_vignettes_unseen.yml, and so on."""
    suffix = file.stem.replace("knee_vignettes", "")
    return REPORTS / f"vignettes{suffix}.json"


def main() -> int:
    load_environment()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model file (default: the one for the current data)")
    parser.add_argument("--only", nargs="*", help="vignette ids to run")
    parser.add_argument(
        "--file", nargs="*", default=[str(f) for f in vignettes.VIGNETTE_FILES], help="vignette files (default: all)"
    )
    parser.add_argument("--show", action="store_true", help="print each vignette's questions and answers")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    # Rasa 3.6's structlog lines ignore logging.disable and would print the vignettes' own words.
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)

    from clinic.training import train_if_needed

    model = Path(args.model or os.environ.get("KNEE_MODEL") or train_if_needed())
    port = free_port()
    server = ManagedProcess(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)], log_name="vignette-actions"
    )
    try:
        wait_for_url(f"http://127.0.0.1:{port}/health", server.process, timeout=120)
        files = [Path(name).resolve() for name in args.file]
        asyncio.run(run_files(model, f"http://127.0.0.1:{port}/webhook", files, args.only, args.show))
    finally:
        server.stop()
    return 0


def write_report(model: Path, file: Path, results) -> None:
    summary = vignettes.score(results)
    met = vignettes.bars_met(summary)
    print_report(file, summary, met)
    report = report_path(file)
    report.parent.mkdir(exist_ok=True)
    report.write_text(
        json.dumps(
            {
                "model": model.name,
                "vignette_file": str(file.relative_to(PROJECT_ROOT)),
                "summary": summary,
                "bars": {k: {"bar": list(vignettes.BARS[k]), "met": v} for k, v in met.items()},
                "results": [vignettes.as_dict(r) for r in results],
            },
            indent=2,
        )
    )
    print(f"\nwritten to {report.relative_to(PROJECT_ROOT)}")


def load_agent(model: Path, action_url: str):
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    return Agent.load(str(model), action_endpoint=EndpointConfig(action_url))


async def run_files(model: Path, action_url: str, files, only, show: bool) -> None:
    """Each file's vignettes through one loaded model, one report per file."""
    agent = load_agent(model, action_url)
    for file in files:
        cases = [v for v in vignettes.load(file) if not only or v["id"] in only]
        if cases:
            print(f"\n== {file.relative_to(PROJECT_ROOT)}")
            write_report(model, file, await drive_all(agent, cases, show))


async def run_all(model: Path, action_url: str, cases, show: bool):
    """The vignettes through the model (review/model_check.py uses this too)."""
    return await drive_all(load_agent(model, action_url), cases, show)


async def drive_all(agent, cases, show: bool):
    loop = asyncio.get_running_loop()
    results = []
    started = time.time()
    for case in cases:
        sender = f"vignette-{case['id']}-{uuid.uuid4().hex[:6]}"

        def say(text: str) -> None:
            future = asyncio.run_coroutine_threadsafe(agent.handle_text(text, sender_id=sender), loop)
            future.result()

        def state():
            future = asyncio.run_coroutine_threadsafe(agent.tracker_store.retrieve(sender), loop)
            return vignettes.tracker_state(future.result())

        # drive() is synchronous; run it in a thread so the agent keeps this event loop.
        result = await loop.run_in_executor(None, vignettes.drive, case, say, state)
        results.append(result)
        mark = "ok  " if result.exact else ("SAFE" if result.safe else "MISS")
        print(f"{mark} {result.id:5} gold={result.gold:9} got={result.level}", flush=True)
        if show:
            print(f"        findings: {', '.join(result.findings) or '-'}")
            for turn in result.turns:
                print(f"        {turn['question']:20} <- {turn['answer']}")
    print(f"({len(cases)} vignettes in {time.time() - started:.0f} s)")
    return results


def print_report(file: Path, summary, met) -> None:
    def pct(value):
        return "n/a" if value is None else f"{100 * value:.2f}%"

    print(f"\nTriage vignettes: {file.name}")
    print(f"  vignettes:                      {summary['n']}")
    bar = {name: "met" if met[name] else "NOT met" for name in ("exact", "safe")}
    print(f"  exact level:                    {pct(summary['exact'])}  (bar >= 90%: {bar['exact']})")
    print(f"  safe (gold or more urgent):     {pct(summary['safe'])}  (bar >= 99%: {bar['safe']})")
    print(
        f"  under-triage, emergency+same day: {summary['under_triage_urgent']} of {summary['urgent_n']}"
        f"  (bar 0: {'met' if met['under_triage_urgent'] else 'NOT met'})"
    )
    print(
        f"  over-triage, self-care+physio:  {pct(summary['over_triage_routine'])} of {summary['routine_n']}"
        f"  (bar <= 10%: {'met' if met['over_triage_routine'] else 'NOT met'})"
    )
    print(f"  no recommendation reached:      {summary['no_recommendation']}")
    print(
        "  by gold level (exact / n):      "
        + ", ".join(f"{level} {row['exact']}/{row['n']}" for level, row in summary["by_level"].items())
    )
    print("  confusion (gold -> got):")
    for gold, row in summary["confusion"].items():
        print(f"    {gold:9} " + ", ".join(f"{got}: {n}" for got, n in sorted(row.items())))


if __name__ == "__main__":
    sys.exit(main())
