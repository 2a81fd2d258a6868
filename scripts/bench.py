"""`make bench`: start the servers like `make run` and measure them over the REST webhook.

Conversations follow the mix of real ones (knowledge questions, a triage, a booking).
Reports median and 95th-percentile reply time, messages per second, and the peak memory
of the servers. Writes reports/bench.json. A measurement, not a test: never fails on numbers.

  make bench                 one server on SQLite, 1 and 10 concurrent conversations
  make bench REPLICAS=3      PostgreSQL + Redis: one server, then 3 behind HAProxy, each at
                             10 and 50 concurrent conversations
  make bench PROFILE=1       where one turn's time goes: NLU, each policy, action server
                             round trips, tracker store reads and writes (in-process)
"""

import argparse
import asyncio
import importlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clinic.environment import load_environment  # noqa: E402
from tests.support.databases import REDIS_URL, fresh_postgres_database  # noqa: E402
from tests.support.processes import AssistantServers  # noqa: E402

# Conversations the way runners really talk to the assistant; each bench conversation
# takes the next one in turn.
CONVERSATIONS = {
    "knowledge": [
        "hi",
        "why do my knees hurt after running?",
        "i've upped my mileage from 20 to 35 miles a week for a half marathon",
        "what exercises help with runner's knee",
        "should i rest or keep running",
        "how much is an appointment",
        "when are you open on saturday",
        "thanks, bye",
    ],
    "triage": [
        "hi",
        "my knee hurts on the outside of my knee after long runs",
        "about 4 days",
        "no",
        "no",
        "no, only when i run",
        "thanks",
    ],
    "booking": [
        "hi",
        "can I book for my knee?",
        "Sam Jones",
        "sam.jones@example.com",
        "next tuesday at 10am",
        "pain at the front of my knee after long runs",
        "no thanks",
    ],
}
SCRIPTS = list(CONVERSATIONS.values())


def conversation(servers: AssistantServers, number: int, latencies: list) -> None:
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    for message in SCRIPTS[number % len(SCRIPTS)]:
        started = time.perf_counter()
        servers.say(sender, message, timeout=120)
        latencies.append(time.perf_counter() - started)


def run_level(servers: AssistantServers, concurrent: int, rounds: int) -> dict:
    latencies: list = []
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrent) as pool:
        for round_ in range(rounds):
            list(pool.map(lambda n: conversation(servers, round_ * concurrent + n, latencies), range(concurrent)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "concurrent_conversations": concurrent,
        "messages": len(latencies),
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1),
        "messages_per_second": round(len(latencies) / elapsed, 2),
    }


def peak_memory_mb(root_pid: int) -> dict:
    """Peak resident memory (VmHWM) of each child of scripts/run.py, by kind (largest)."""
    peaks: dict = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            if int(fields["PPid"]) != root_pid:
                continue
            cmdline = (status.parent / "cmdline").read_text().replace("\0", " ")
        except (OSError, KeyError, ValueError):
            continue
        name = "action_server" if " actions" in cmdline else "rasa_server" if "rasa_server" in cmdline else None
        if name:
            peaks[name] = max(peaks.get(name, 0), round(int(fields["VmHWM"].split()[0]) / 1024, 1))
    return peaks


def measure(workdir: Path, env: dict, levels, rounds: int, replicas: int = 1) -> dict:
    servers = AssistantServers(workdir, env=env, replicas=replicas).start()
    try:
        servers.say("warm-up", "hi")
        results = [run_level(servers, c, rounds) for c in levels]
        return {"servers": replicas, "levels": results, "peak_memory_mb": peak_memory_mb(servers.runner.process.pid)}
    finally:
        servers.stop()


def print_table(setup: dict, label: str) -> None:
    print(f"\n{label}")
    print(f"{'conversations':>13} {'messages':>8} {'median ms':>9} {'p95 ms':>8} {'msg/s':>7}")
    for level in setup["levels"]:
        print(
            f"{level['concurrent_conversations']:>13} {level['messages']:>8} "
            f"{level['median_ms']:>9} {level['p95_ms']:>8} {level['messages_per_second']:>7}"
        )
    print("peak memory per process (MB): " + ", ".join(f"{k} {v}" for k, v in sorted(setup["peak_memory_mb"].items())))


# --- where a turn's time goes ---------------------------------------------------------------

PROFILED = {  # label: (module, class, method), timed on every call
    "NLU (parse_message)": ("rasa.core.processor", "MessageProcessor", "parse_message"),
    "RulePolicy": ("rasa.core.policies.rule_policy", "RulePolicy", "predict_action_probabilities"),
    "MemoizationPolicy": ("rasa.core.policies.memoization", "MemoizationPolicy", "predict_action_probabilities"),
    "TEDPolicy": ("rasa.core.policies.ted_policy", "TEDPolicy", "predict_action_probabilities"),
    "ActionServerDownPolicy": (
        "components.action_server_down",
        "ActionServerDownPolicy",
        "predict_action_probabilities",
    ),
    "action server round trip": ("rasa.core.actions.action", "RemoteAction", "run"),
    "tracker store read": ("clinic.tracker_store", "SequencedSQLTrackerStore", "retrieve"),
    "tracker store write": ("clinic.tracker_store", "SequencedSQLTrackerStore", "save"),
}


def _timed(function, label: str, spent: dict):
    if asyncio.iscoroutinefunction(function):

        async def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                spent[label].append(time.perf_counter() - started)
    else:

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label].append(time.perf_counter() - started)

    return timed


def profile(model: str, database_url: str, rounds: int) -> dict:
    """Run the conversation mix in-process, timing each step of every turn."""
    from rasa.core.agent import Agent
    from rasa.core.lock_store import InMemoryLockStore
    from rasa.utils.endpoints import EndpointConfig

    from tests.support.processes import BIN, ManagedProcess, free_port, wait_for_url

    spent: dict = defaultdict(list)
    for label, (module, cls, method) in PROFILED.items():
        owner = getattr(importlib.import_module(module), cls)
        setattr(owner, method, _timed(getattr(owner, method), label, spent))
    os.environ["DATABASE_URL"] = database_url
    from clinic.stores import ClinicTrackerStore

    port = free_port()
    actions = ManagedProcess(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)], log_name="bench-actions"
    )
    try:
        wait_for_url(f"http://127.0.0.1:{port}/health", actions.process)
        agent = Agent.load(
            model,
            action_endpoint=EndpointConfig(f"http://127.0.0.1:{port}/webhook"),
            tracker_store=ClinicTrackerStore(),
            lock_store=InMemoryLockStore(),
        )
        loop = asyncio.new_event_loop()
        loop.run_until_complete(agent.handle_text("hi", sender_id="warm-up"))
        spent.clear()
        turns = 0
        started = time.perf_counter()
        for n in range(rounds * len(SCRIPTS)):
            sender = f"profile-{n}"
            for message in SCRIPTS[n % len(SCRIPTS)]:
                loop.run_until_complete(agent.handle_text(message, sender_id=sender))
                turns += 1
        total = time.perf_counter() - started
    finally:
        actions.stop()
    report = {"turns": turns, "turn_ms": round(total / turns * 1000, 1), "steps": {}}
    for label in PROFILED:
        calls = spent.get(label, [])
        report["steps"][label] = {
            "calls_per_turn": round(len(calls) / turns, 2),
            "ms_per_turn": round(sum(calls) / turns * 1000, 1),
        }
    return report


def main() -> int:
    load_environment()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2, help="conversations per concurrency level")
    parser.add_argument(
        "--replicas",
        type=int,
        default=int(os.environ.get("REPLICAS") or 1),
        help="also measure this many servers behind HAProxy (PostgreSQL + Redis)",
    )
    parser.add_argument("--profile", action="store_true", default=bool(os.environ.get("PROFILE")))
    parser.add_argument("--model", default=os.environ.get("KNEE_MODEL"))
    args = parser.parse_args()
    report: dict = {"conversations": CONVERSATIONS}
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        if args.profile:
            from clinic.training import model_path

            database = f"sqlite:///{workdir / 'profile.db'}"
            report["profile"] = profile(str(args.model or model_path()), database, args.rounds)
            print(
                f"\nOne turn: {report['profile']['turn_ms']} ms on average "
                f"({report['profile']['turns']} turns, one at a time, SQLite)"
            )
            for label, step in report["profile"]["steps"].items():
                print(f"  {label:<28} {step['ms_per_turn']:>7} ms/turn  ({step['calls_per_turn']} calls/turn)")
        elif args.replicas > 1:
            env = {
                "DATABASE_URL": stack.enter_context(fresh_postgres_database("bench")),
                "REDIS_URL": REDIS_URL,
                "REDIS_LOCK_PREFIX": f"bench{uuid.uuid4().hex[:6]}",
            }
            report["setups"] = [measure(workdir / f"r{n}", env, (10, 50), args.rounds, n) for n in (1, args.replicas)]
            for setup in report["setups"]:
                print_table(
                    setup,
                    f"{setup['servers']} Rasa server(s), PostgreSQL + Redis"
                    + (" behind HAProxy" if setup["servers"] > 1 else ""),
                )
        else:
            env = {"DATABASE_URL": f"sqlite:///{workdir}/bench.db"}
            report["setups"] = [measure(workdir, env, (1, 10), args.rounds)]
            print_table(report["setups"][0], "1 Rasa server, SQLite")
    out = ROOT / "reports" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"Wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
