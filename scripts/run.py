"""`make run`: start the action server and the Rasa server, print where to talk to them,
and stop both cleanly on Ctrl-C. `--shell` chats in the terminal instead."""
import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from channels.settings import allowed_origins  # noqa: E402
from clinic.local_secrets import persistent_secret  # noqa: E402
from clinic.locks import check_workers  # noqa: E402
from clinic.training import model_path  # noqa: E402

BIN = Path(sys.executable).parent
REST_TOKEN_FILE = "rest_token"


@dataclass
class Service:
    name: str
    command: List[str]
    health_url: str
    env: Dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None


def load_dotenv(path: Path = ROOT / ".env") -> None:
    """Read KEY=value lines from .env without overriding the real environment."""
    if not path.exists():
        return
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


def api_token() -> str:
    """The HTTP API token: RASA_API_TOKEN, or one generated once and kept in var/."""
    return persistent_secret("RASA_API_TOKEN", "api_token", 24)


def rest_token() -> str:
    """The REST channel's token: REST_CHANNEL_TOKEN, or one generated once and kept in var/."""
    return persistent_secret("REST_CHANNEL_TOKEN", REST_TOKEN_FILE, 24)


def services(args: argparse.Namespace) -> List[Service]:
    model = str(args.model or model_path())
    action_port, rasa_port = str(args.action_port), str(args.port)
    return [
        Service("action server", [str(BIN / "rasa"), "run", "actions", "--actions", "actions",
                                  "--port", action_port],
                f"http://127.0.0.1:{action_port}/health"),
        # The demo clinic website with the chat widget (webchat/), up before the Rasa server.
        Service("demo clinic page", [str(BIN / "python"), "-m", "webchat.demo_site",
                                     "--port", str(args.webchat_port), "--rasa-port", rasa_port],
                f"http://127.0.0.1:{args.webchat_port}/health"),
        # The tokens go in the environment, never on a command line (scripts/rasa_server.py).
        Service("Rasa server", [str(BIN / "python"), "-m", "scripts.rasa_server",
                                "--model", model, "--enable-api", "--port", rasa_port,
                                "--credentials", args.credentials, "--endpoints", args.endpoints,
                                "--cors", *allowed_origins(args.webchat_port)],
                f"http://127.0.0.1:{rasa_port}/",
                # Without ALLOWED_ORIGINS the web chat accepts the demo page (channels/settings.py).
                env={"WEBCHAT_PORT": str(args.webchat_port), "RASA_API_TOKEN": api_token(),
                     "REST_CHANNEL_TOKEN": rest_token()}),
        # Staff conversation review (review/): reads the same database as the tracker store.
        Service("staff review app", [str(BIN / "python"), "-m", "review", "serve",
                                     "--port", str(args.review_port)],
                f"http://127.0.0.1:{args.review_port}/healthz"),
    ]


def wait_healthy(service: Service, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(f"{service.name} exited with code {service.process.returncode}")
        try:
            with urllib.request.urlopen(service.health_url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{service.name} did not answer at {service.health_url} in {timeout:.0f}s")


def stop(running: List[Service]) -> None:
    for service in reversed(running):
        if service.process and service.process.poll() is None:
            service.process.send_signal(signal.SIGINT)
    for service in reversed(running):
        if service.process:
            try:
                service.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                service.process.kill()


def main() -> int:
    load_dotenv()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    parser.add_argument("--action-port", type=int, default=int(os.environ.get("ACTION_PORT", 5055)))
    parser.add_argument("--webchat-port", type=int, default=int(os.environ.get("WEBCHAT_PORT", 8080)))
    parser.add_argument("--review-port", type=int, default=int(os.environ.get("REVIEW_PORT") or 8090))
    parser.add_argument("--endpoints", default=os.environ.get("RASA_ENDPOINTS", "endpoints.yml"))
    parser.add_argument("--credentials", default=os.environ.get("RASA_CREDENTIALS", "credentials.yml"))
    parser.add_argument("--model", help="model file (default: the one matching the current data)")
    parser.add_argument("--shell", action="store_true", help="chat in the terminal")
    args = parser.parse_args()

    try:
        check_workers()  # SANIC_WORKERS > 1 only with locks every worker shares
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    # `kill` (SIGTERM) stops everything as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    all_services = services(args)
    if args.shell:
        all_services = all_services[:1]
    running: List[Service] = []
    try:
        for service in all_services:
            print(f"Starting {service.name}...", flush=True)
            service.process = subprocess.Popen(service.command, cwd=ROOT,
                                               env={**os.environ, **service.env})
            running.append(service)
            wait_healthy(service, timeout=180)
        if args.shell:
            return subprocess.call([str(BIN / "rasa"), "shell", "--model", str(args.model or model_path()),
                                    "--endpoints", args.endpoints], cwd=ROOT)
        print_banner(args)
        while all(s.process.poll() is None for s in running):
            time.sleep(1)
        print("A service stopped unexpectedly; shutting down.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", flush=True)
        return 0
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        stop(running)


def _raise_keyboard_interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def print_banner(args: argparse.Namespace) -> None:
    rest = f"http://localhost:{args.port}/webhooks/rest/webhook"
    token = ("$REST_CHANNEL_TOKEN" if os.environ.get("REST_CHANNEL_TOKEN")
             else f"$(cat var/{REST_TOKEN_FILE})")
    print(f"""
The assistant is running. Press Ctrl-C to stop.
  REST:      curl -s {rest} -H "Authorization: Bearer {token}" -d '{{"sender": "me", "message": "hi"}}'
  socket.io: http://localhost:{args.port}/socket.io
  HTTP API:  http://localhost:{args.port}/ (token in RASA_API_TOKEN or var/api_token)
  Web chat:  http://localhost:{args.webchat_port}/ (demo clinic page with the chat widget)
  Staff:     http://localhost:{args.review_port}/ (conversation review; accounts: make staff-user)
""", flush=True)


if __name__ == "__main__":
    sys.exit(main())
