"""`make run`: start the action server and the Rasa server, print where to talk to them,
and stop both cleanly on Ctrl-C. `--shell` chats in the terminal instead."""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from channels.settings import allowed_origins  # noqa: E402
from clinic.database import database_url  # noqa: E402
from clinic.environment import load_environment  # noqa: E402
from clinic.local_secrets import persistent_secret, var_dir  # noqa: E402
from clinic.locks import check_workers  # noqa: E402
from clinic.training import model_path  # noqa: E402
from deploy.topology import render_haproxy  # noqa: E402
from scripts.warning_log import divert_warnings  # noqa: E402

BIN = Path(sys.executable).parent
REST_TOKEN_FILE = "rest_token"
WARNINGS_LOG = "warnings.log"  # in var/log/: library deprecations, kept off the terminal


@dataclass
class Service:
    name: str
    command: List[str]
    health_url: str
    env: Dict[str, str] = field(default_factory=dict)
    process: Optional[subprocess.Popen] = None
    start_only: bool = False  # started without waiting; checked with the others at the end


def api_token() -> str:
    """The HTTP API token: RASA_API_TOKEN, or one generated once and kept in var/."""
    return persistent_secret("RASA_API_TOKEN", "api_token", 24)


def rest_token() -> str:
    """The REST channel's token: REST_CHANNEL_TOKEN, or one generated once and kept in var/."""
    return persistent_secret("REST_CHANNEL_TOKEN", REST_TOKEN_FILE, 24)


def services(args: argparse.Namespace) -> List[Service]:
    if args.replicas > 1:
        servers = load_balanced(args)
    else:
        servers = [action_server(args.action_port), demo_page(args), rasa_server(args, args.port)]
    # Staff conversation review (review/): reads the same database as the tracker store, and
    # loads an activated model on every Rasa server (review/model_runs.py).
    ports = getattr(args, "replica_ports", None) or [args.port]
    urls = os.environ.get("RASA_SERVER_URLS") or " ".join(f"http://127.0.0.1:{p}" for p in ports)
    return servers + [
        Service(
            "staff review app",
            [str(BIN / "python"), "-m", "review", "serve", "--port", str(args.review_port)],
            f"http://127.0.0.1:{args.review_port}/healthz",
            env={"RASA_SERVER_URLS": urls},
        )
    ]


def action_server(port: int, name: str = "action server") -> Service:
    return Service(
        name,
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
    )


def demo_page(args: argparse.Namespace) -> Service:
    """The demo clinic website with the chat widget (webchat/), up before the Rasa server."""
    return Service(
        "demo clinic page",
        [
            str(BIN / "python"),
            "-m",
            "webchat.demo_site",
            "--port",
            str(args.webchat_port),
            "--rasa-port",
            str(args.port),
        ],
        f"http://127.0.0.1:{args.webchat_port}/health",
    )


def rasa_server(
    args: argparse.Namespace, port: int, name: str = "Rasa server", interface: Optional[str] = None
) -> Service:
    model = str(args.model or model_path())
    # The tokens go in the environment, never on a command line (scripts/rasa_server.py).
    return Service(
        name,
        [
            str(BIN / "python"),
            "-m",
            "scripts.rasa_server",
            "--model",
            model,
            "--enable-api",
            "--port",
            str(port),
            *(["--interface", interface] if interface else []),
            "--credentials",
            args.credentials,
            "--endpoints",
            args.endpoints,
            "--cors",
            *allowed_origins(args.webchat_port),
        ],
        f"http://127.0.0.1:{port}/",
        # Without ALLOWED_ORIGINS the web chat accepts the demo page (channels/settings.py).
        env={"WEBCHAT_PORT": str(args.webchat_port), "RASA_API_TOKEN": api_token(), "REST_CHANNEL_TOKEN": rest_token()},
    )


def load_balanced(args: argparse.Namespace) -> List[Service]:
    """REPLICAS Rasa servers and ACTION_REPLICAS action servers on loopback ports, behind
    HAProxy on the usual ports (deploy/topology.py), sharing DATABASE_URL and the locks."""
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.path.exists(haproxy):
        raise RuntimeError("REPLICAS needs HAProxy: `make run REPLICAS=n` installs it (apt-get install haproxy)")
    rasa_ports = args.replica_ports = [free_port() for _ in range(args.replicas)]
    action_ports = [free_port() for _ in range(args.action_replicas)]
    config = Path(tempfile.mkdtemp(prefix="knee-haproxy-")) / "haproxy.cfg"
    config.write_text(
        render_haproxy(
            [("127.0.0.1", p) for p in rasa_ports],
            [("127.0.0.1", p) for p in action_ports],
            rasa_bind=f"*:{args.port}",
            actions_bind=f"127.0.0.1:{args.action_port}",
        )
    )
    servers = [
        replace(action_server(port, f"action server {n}"), start_only=True) for n, port in enumerate(action_ports, 1)
    ]
    servers.append(demo_page(args))
    # Several models load at once (in parallel); the load balancer is checked last.
    servers += [
        replace(rasa_server(args, port, f"Rasa server {n}", interface="127.0.0.1"), start_only=True)
        for n, port in enumerate(rasa_ports, 1)
    ]
    servers.append(
        Service(
            "load balancer (HAProxy)",
            [haproxy, "-db", "-f", str(config)],
            f"http://127.0.0.1:{args.port}/",
            start_only=True,
        )
    )
    return servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    load_environment()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    parser.add_argument("--action-port", type=int, default=int(os.environ.get("ACTION_PORT", 5055)))
    parser.add_argument("--webchat-port", type=int, default=int(os.environ.get("WEBCHAT_PORT", 8080)))
    parser.add_argument("--review-port", type=int, default=int(os.environ.get("REVIEW_PORT") or 8090))
    parser.add_argument("--endpoints", default=os.environ.get("RASA_ENDPOINTS", "endpoints.yml"))
    parser.add_argument("--credentials", default=os.environ.get("RASA_CREDENTIALS", "credentials.yml"))
    parser.add_argument("--model", help="model file (default: the one matching the current data)")
    parser.add_argument("--shell", action="store_true", help="chat in the terminal")
    parser.add_argument(
        "--replicas",
        type=int,
        default=int(os.environ.get("REPLICAS") or 1),
        help="Rasa servers behind HAProxy (needs PostgreSQL, see README)",
    )
    parser.add_argument(
        "--action-replicas",
        type=int,
        default=int(os.environ.get("ACTION_REPLICAS") or 2),
        help="action servers behind HAProxy when --replicas > 1",
    )
    args = parser.parse_args()
    if args.replicas > 1 and database_url().get_backend_name() == "sqlite":
        print(
            "error: REPLICAS > 1 needs a database every server shares: set DATABASE_URL "
            "to PostgreSQL (and REDIS_URL for the locks, see README).",
            file=sys.stderr,
        )
        return 2

    try:
        check_workers()  # SANIC_WORKERS > 1 only with locks every worker shares
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    # `kill` (SIGTERM) stops everything as cleanly as Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    if args.shell:
        args.replicas = 1
    running: List[Service] = []
    log_dir = var_dir() / "log"
    log_dir.mkdir(mode=0o700, exist_ok=True)
    warnings_log, log_lock = open(log_dir / WARNINGS_LOG, "w"), threading.Lock()
    try:
        all_services = services(args)
        if args.shell:
            all_services = all_services[:1]
        for service in all_services:
            print(f"Starting {service.name}...", flush=True)
            service.process = subprocess.Popen(
                service.command,
                cwd=ROOT,
                env={**os.environ, **service.env},
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
            )
            divert_warnings(service.process.stderr, sys.stderr, warnings_log, log_lock)
            running.append(service)
            if not service.start_only:
                wait_healthy(service, timeout=180)
        for service in running:  # several models loading at once take a while on few cores
            wait_healthy(service, timeout=600)
        if args.shell:
            return subprocess.call(
                [str(BIN / "rasa"), "shell", "--model", str(args.model or model_path()), "--endpoints", args.endpoints],
                cwd=ROOT,
            )
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
    token = "$REST_CHANNEL_TOKEN" if os.environ.get("REST_CHANNEL_TOKEN") else f"$(cat var/{REST_TOKEN_FILE})"
    servers = (
        f"\n  Servers:   {args.replicas} Rasa servers and {args.action_replicas} action servers "
        f"behind HAProxy on :{args.port} and :{args.action_port}\n  Replicas:  "
        + " ".join(f"http://127.0.0.1:{p}" for p in args.replica_ports)
        if args.replicas > 1
        else ""
    )
    print(
        f"""
The assistant is running. Press Ctrl-C to stop.{servers}
  REST:      curl -s {rest} -H "Authorization: Bearer {token}" -d '{{"sender": "me", "message": "hi"}}'
  socket.io: http://localhost:{args.port}/socket.io
  HTTP API:  http://localhost:{args.port}/ (token in RASA_API_TOKEN or var/api_token)
  Web chat:  http://localhost:{args.webchat_port}/ (demo clinic page with the chat widget)
  Staff:     http://localhost:{args.review_port}/ (conversation review; accounts: make staff-user)
  Warnings:  var/log/{WARNINGS_LOG} (libraries' deprecation warnings, kept off this screen)
""",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
