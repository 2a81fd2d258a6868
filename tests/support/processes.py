"""Start the project's real servers as processes for tests, on free ports."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The REST channel's token in tests (REST_CHANNEL_TOKEN, see channels/rest.py).
REST_TOKEN = "test-rest-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_url(url: str, process: Optional[subprocess.Popen] = None, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


class ManagedProcess:
    """A child process that is always stopped, even when a test fails."""

    def __init__(self, command: List[str], env: Optional[Dict[str, str]] = None, log_name: str = "process") -> None:
        log_dir = ROOT / "tests" / "artifacts" / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{log_name}-{int(time.time() * 1000)}.log"
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=self._log, stderr=subprocess.STDOUT
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 20) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def write_endpoints(path: Path, action_port: int, extra: str = "") -> Path:
    """An endpoints.yml like the project's, pointing at a test action server."""
    text = (
        (ROOT / "endpoints.yml")
        .read_text()
        .replace("http://localhost:5055/webhook", f"http://127.0.0.1:{action_port}/webhook")
    )
    path.write_text(text + extra)
    return path


class AssistantServers:
    """The action server and the Rasa server, started the way `make run` starts them."""

    def __init__(
        self, workdir: Path, env: Optional[Dict[str, str]] = None, credentials: Optional[Path] = None, replicas: int = 1
    ) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.env = {"RASA_API_TOKEN": "test-token", "REST_CHANNEL_TOKEN": REST_TOKEN, **(env or {})}
        # `make run REPLICAS=n`: n Rasa servers and two action servers behind HAProxy, which
        # listens on the ports a single server would use.
        self.replicas = replicas
        if replicas > 1:
            self.env.update(REPLICAS=str(replicas), ACTION_REPLICAS="2")
        self.credentials = credentials
        self.port = free_port()
        self.action_port = free_port()
        self.review_port = free_port()  # the staff review app (review/), also started by run.py
        self.webchat_port = free_port()  # the demo clinic page with the chat widget (webchat/)
        self.endpoints = write_endpoints(workdir / "endpoints.yml", self.action_port)
        self.runner: Optional[ManagedProcess] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webchat_url(self) -> str:
        return f"http://127.0.0.1:{self.webchat_port}"

    @property
    def review_url(self) -> str:
        return f"http://127.0.0.1:{self.review_port}"

    def start(self) -> "AssistantServers":
        command = [
            str(BIN / "python"),
            "scripts/run.py",
            "--port",
            str(self.port),
            "--action-port",
            str(self.action_port),
            "--review-port",
            str(self.review_port),
            "--webchat-port",
            str(self.webchat_port),
            "--endpoints",
            str(self.endpoints),
        ]
        if self.credentials:
            command += ["--credentials", str(self.credentials)]
        if os.environ.get("KNEE_MODEL"):
            command += ["--model", os.environ["KNEE_MODEL"]]
        self.runner = ManagedProcess(command, env=self.env, log_name="assistant")
        try:
            wait_for_url(f"{self.url}/status?token=test-token", self.runner.process, timeout=240 * self.replicas)
            # run.py starts the staff review app last: wait for it too, so that a test that
            # cuts the database next does not catch the review app starting up.
            wait_for_url(f"{self.review_url}/healthz", self.runner.process, timeout=60)
            self._wait_for_log("The assistant is running", timeout=600)  # every replica up
        except Exception:
            self.stop()
            raise RuntimeError(f"servers did not start:\n{self.runner.log()[-4000:]}")
        return self

    @property
    def replica_urls(self) -> List[str]:
        """Each Rasa server behind the load balancer, as the banner of run.py lists them."""
        line = next(row for row in self.runner.log().splitlines() if row.strip().startswith("Replicas:"))
        return line.split(":", 1)[1].split()

    def _wait_for_log(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.runner.log():
            if time.monotonic() > deadline or self.runner.process.poll() is not None:
                raise RuntimeError(f"no {text!r} in the log within {timeout}s")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.runner:
            # SIGTERM is handled by run.py like Ctrl-C: both children are stopped.
            self.runner.stop(timeout=40)

    def say(self, sender: str, message: str, timeout: float = 60) -> List[dict]:
        """The bot's replies to one message over the REST channel."""
        response = self.rest({"sender": sender, "message": message}, timeout=timeout)
        response.raise_for_status()
        return response.json()

    def rest(
        self, body=None, token: Optional[str] = REST_TOKEN, timeout: float = 60, server: Optional[str] = None, **kwargs
    ):
        """POST to the REST channel with its token (`body` as JSON, or `data=` raw), through
        the load balancer or to one `server` of `replica_urls`."""
        import requests

        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return requests.post(
            f"{server or self.url}/webhooks/rest/webhook",
            timeout=timeout,
            headers=headers,
            **({"json": body} if body is not None else kwargs),
        )
