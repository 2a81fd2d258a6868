"""`make bench`: start the servers like `make run` and measure them over the REST webhook.

Reports median and 95th-percentile reply time with 1 and with 10 concurrent conversations,
messages per second, and the peak memory of the Rasa and action servers. Writes
reports/bench.json. This is a measurement, not a test: it never fails on numbers."""
import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.processes import AssistantServers  # noqa: E402

# A conversation the way runners really talk to the assistant.
MESSAGE_MIX = [
    "hi",
    "why do my knees hurt after running?",
    "i've upped my mileage from 20 to 35 miles a week for a half marathon",
    "what exercises help with runner's knee",
    "should i rest or keep running",
    "how much is an appointment",
    "when are you open on saturday",
    "thanks, bye",
]


def conversation(servers: AssistantServers, latencies: list) -> None:
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    for message in MESSAGE_MIX:
        started = time.perf_counter()
        servers.say(sender, message, timeout=120)
        latencies.append(time.perf_counter() - started)


def run_level(servers: AssistantServers, concurrent: int, rounds: int) -> dict:
    latencies: list = []
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrent) as pool:
        for _ in range(rounds):
            list(pool.map(lambda _: conversation(servers, latencies), range(concurrent)))
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
    """Peak resident memory (VmHWM) of each child of scripts/run.py, by command."""
    peaks = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            if int(fields["PPid"]) != root_pid:
                continue
            cmdline = (status.parent / "cmdline").read_text().replace("\0", " ")
        except (OSError, KeyError, ValueError):
            continue
        name = "action_server" if " actions" in cmdline else "rasa_server"
        peaks[name] = round(int(fields["VmHWM"].split()[0]) / 1024, 1)
    return peaks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="conversations per concurrency level")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        env = {"DATABASE_URL": f"sqlite:///{workdir}/bench.db"}
        servers = AssistantServers(Path(workdir), env=env).start()
        try:
            servers.say("warm-up", "hi")
            levels = [run_level(servers, c, args.rounds) for c in (1, 10)]
            memory = peak_memory_mb(servers.runner.process.pid)
        finally:
            servers.stop()
    print(f"{'conversations':>13} {'messages':>8} {'median ms':>9} {'p95 ms':>8} {'msg/s':>7}")
    for level in levels:
        print(f"{level['concurrent_conversations']:>13} {level['messages']:>8} {level['median_ms']:>9} "
              f"{level['p95_ms']:>8} {level['messages_per_second']:>7}")
    print("peak memory (MB): " + ", ".join(f"{k} {v}" for k, v in sorted(memory.items())))
    report = ROOT / "reports" / "bench.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text(json.dumps({"levels": levels, "peak_memory_mb": memory,
                                  "message_mix": MESSAGE_MIX}, indent=2))
    print(f"Wrote {report.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
