"""Training runs started from the review app, and activating a model on the Rasa servers.

A run trains on the project's data plus the staff corrections, written as one extra NLU
file into the run's own work directory (REVIEW_RUNS_DIR, default var/model_runs/<id>/;
never into data/). It runs in a background process (`python -m review.model_runs <id>`)
at low priority (nice, one thread for numpy/TensorFlow), so the live assistant keeps its
speed, and outlives the request and the page: its state is a row in review_model_runs,
refreshed by a heartbeat. One run at a time: a new one is refused while another is active,
and the worker holds a file lock besides.

After training, the worker runs the side-by-side check (review/model_check.py) against the
live model. Activating sends Rasa's `PUT /model` to every server in RASA_SERVER_URLS."""

import fcntl
import json
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa

from clinic.local_secrets import persistent_secret
from clinic.settings import PROJECT_ROOT
from review import annotations, clock, sanitize
from review.tables import activations, corrections, corrections_used, events, model_runs

ACTIVE = ("queued", "training", "checking")
HEARTBEAT_SECONDS = 10
STALE = timedelta(seconds=90)  # no heartbeat for this long: the worker died
LOG_TAIL = 40  # lines shown on the run's page
NICENESS = 10
# One thread for the maths libraries: the live assistant keeps the other core.
ONE_CORE = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
}


class RunError(RuntimeError):
    """A run or activation that cannot go ahead; the message says why."""


# --- settings -------------------------------------------------------------------------------


def runs_dir() -> Path:
    return Path(os.environ.get("REVIEW_RUNS_DIR") or PROJECT_ROOT / "var" / "model_runs")


def train_config() -> Path:
    """The Rasa config runs train with (REVIEW_TRAIN_CONFIG; tests use a small one)."""
    return Path(os.environ.get("REVIEW_TRAIN_CONFIG") or PROJECT_ROOT / "config.yml")


def server_urls() -> List[str]:
    """Every Rasa server that must load an activated model (RASA_SERVER_URLS, space or
    comma separated; `make run` sets it, one per replica; default the local server)."""
    raw = os.environ.get("RASA_SERVER_URLS") or f"http://127.0.0.1:{os.environ.get('RASA_PORT') or 5005}"
    return [url.rstrip("/") for url in raw.replace(",", " ").split()]


def api_token() -> str:
    return persistent_secret("RASA_API_TOKEN", "api_token", 24)


# --- runs -----------------------------------------------------------------------------------


def _as_dict(row) -> Dict[str, Any]:
    run = dict(row._mapping)
    for key in ("started_at", "finished_at", "heartbeat"):
        run[key] = clock.as_utc(run[key])
    run["corrections"] = json.loads(run["corrections"] or "[]")
    run["comparison"] = json.loads(run["comparison"]) if run["comparison"] else None
    return run


def _expire_dead(db) -> None:
    """A run whose worker stopped beating (killed, machine restarted) is marked failed."""
    cutoff = clock.utcnow() - STALE
    db.execute(
        model_runs.update()
        .where(model_runs.c.status.in_(ACTIVE), model_runs.c.heartbeat < cutoff)
        .values(status="failed", finished_at=clock.utcnow(), error="The training process stopped without finishing.")
    )


def get(engine, run_id: int) -> Optional[Dict[str, Any]]:
    with engine.begin() as db:
        _expire_dead(db)
        row = db.execute(model_runs.select().where(model_runs.c.id == run_id)).first()
    return _as_dict(row) if row else None


def recent(engine, limit: int = 20) -> List[Dict[str, Any]]:
    with engine.begin() as db:
        _expire_dead(db)
        rows = db.execute(model_runs.select().order_by(model_runs.c.id.desc()).limit(limit)).all()
    return [_as_dict(row) for row in rows]


def active(engine) -> Optional[Dict[str, Any]]:
    return next((run for run in recent(engine, 5) if run["status"] in ACTIVE), None)


def training_corrections(engine) -> List[Dict[str, Any]]:
    """Every correction (newest first). Used ones are included too: they are not in data/,
    and a new model must not forget what the live one learned."""
    return annotations.all_corrections(engine)


def used_event_ids(engine) -> set:
    with engine.connect() as db:
        return set(db.execute(sa.select(corrections_used.c.event_id)).scalars())


def start(engine, username: str, database_url: str) -> int:
    """Queue a run and start its worker; refused while another run is active."""
    with engine.begin() as db:
        _expire_dead(db)
        busy = db.execute(sa.select(model_runs.c.id).where(model_runs.c.status.in_(ACTIVE))).first()
        if busy:
            raise RunError(f"Run {busy.id} is still going: one training run at a time.")
        now = clock.utcnow()
        run_id = db.execute(
            model_runs.insert().values(
                status="queued", started_by=username, started_at=now, heartbeat=now, workdir="", corrections="[]"
            )
        ).inserted_primary_key[0]
        workdir = runs_dir() / str(run_id)
        db.execute(model_runs.update().where(model_runs.c.id == run_id).values(workdir=str(workdir)))
    workdir.mkdir(parents=True, exist_ok=True)
    found = training_corrections(engine)
    (workdir / "corrections.yml").write_text(
        annotations.nlu_yaml(found, comment=(f"Staff corrections for training run {run_id}, started by {username}.")),
        encoding="utf-8",
    )
    with engine.begin() as db:
        db.execute(
            model_runs.update()
            .where(model_runs.c.id == run_id)
            .values(corrections=json.dumps([c["event_id"] for c in found]))
        )
    log = open(workdir / "run.log", "ab")
    process = subprocess.Popen(
        ["nice", "-n", str(NICENESS), sys.executable, "-m", "review.model_runs", str(run_id)],
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **ONE_CORE, "DATABASE_URL": database_url},
        start_new_session=True,
    )  # not stopped with the app, nor by Ctrl-C in its terminal
    log.close()
    with engine.begin() as db:
        db.execute(model_runs.update().where(model_runs.c.id == run_id).values(pid=process.pid))
    return run_id


def log_tail(run: Dict[str, Any], lines: int = LOG_TAIL) -> str:
    path = Path(run["workdir"]) / "run.log"
    if not path.exists():
        return ""
    with open(path, "rb") as f:
        f.seek(max(0, path.stat().st_size - 64 * 1024))
        text = f.read().decode("utf-8", "replace")
    return "\n".join(text.splitlines()[-lines:])


def progress(run: Dict[str, Any]) -> str:
    """A line for staff: where the run is, from its status and the training log."""
    if run["status"] != "training":
        return {
            "queued": "waiting to start",
            "checking": "comparing with the live model",
            "ready": "ready to activate",
            "failed": "failed",
        }.get(run["status"], run["status"])
    tail = log_tail(run, 200)
    step = "preparing the training data"
    # The config's intent classifier: ours (config.yml) or DIET (a small test config).
    for marker, said in (
        ("IntentClassifier'", "training the language understanding"),
        ("DIETClassifier'", "training the language understanding"),
        ("RulePolicy'", "training the dialogue rules"),
        ("Your Rasa model is trained", "model trained, saving"),
    ):
        if marker in tail:
            step = said
    return step


# --- the worker -----------------------------------------------------------------------------


def _set(engine, run_id: int, **values) -> None:
    with engine.begin() as db:
        db.execute(model_runs.update().where(model_runs.c.id == run_id).values(**values))


def _heartbeat(engine, run_id: int, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        _set(engine, run_id, heartbeat=clock.utcnow())


def live_model(urls: Optional[List[str]] = None) -> Path:
    """The model file the first Rasa server has loaded (its /status)."""
    url = (urls or server_urls())[0]
    response = requests.get(f"{url}/status", params={"token": api_token()}, timeout=30)
    response.raise_for_status()
    name = Path(response.json().get("model_file") or "")
    for candidate in (name, PROJECT_ROOT / "models" / name.name):
        if candidate.is_file():
            return candidate.resolve()
    raise RunError(f"The live model file {name} is not on this machine.")


def red_flags_seen(engine, limit: int = 500) -> List[str]:
    """The latest patient messages the assistant classified as red flags."""
    with engine.connect() as db:
        rows = db.execute(
            sa.select(events.c.data)
            .where(events.c.type_name == "user", events.c.intent_name == "report_red_flag")
            .order_by(events.c.id.desc())
            .limit(limit)
        ).scalars()
        return [text for text in (sanitize.text(sanitize.event_data(d).get("text")) for d in rows) if text.strip()]


def train(config: Path, extra_nlu: Path, out_dir: Path, name: str, log) -> Path:
    """`rasa train` on the project's domain and data plus `extra_nlu`; the model path."""
    subprocess.run(
        [
            str(Path(sys.executable).parent / "rasa"),
            "train",
            "--config",
            str(config),
            "--domain",
            "domain",
            "--data",
            "data",
            str(extra_nlu),
            "--out",
            str(out_dir),
            "--fixed-model-name",
            name,
        ],
        cwd=PROJECT_ROOT,
        check=True,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **ONE_CORE, "RASA_TELEMETRY_ENABLED": "false"},
    )
    return out_dir / f"{name}.tar.gz"


def work(run_id: int) -> None:
    """The background process: train, then compare with the live model."""
    from review.tables import connect

    engine = connect()
    run = get(engine, run_id)
    workdir = Path(run["workdir"])
    stop = threading.Event()
    threading.Thread(target=_heartbeat, args=(engine, run_id, stop), daemon=True).start()
    try:
        with open(runs_dir() / ".train.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RunError("Another training run holds the lock.")
            _set(engine, run_id, status="training")
            print(f"Training run {run_id} with {train_config()}", flush=True)
            model = train(train_config(), workdir / "corrections.yml", workdir, f"candidate-{run_id}", sys.stdout)
            _set(engine, run_id, status="checking", model_path=str(model))
            base = live_model()
            _set(engine, run_id, base_model=str(base))
            print(f"Comparing {model.name} with the live model {base.name}", flush=True)
            from review import model_check

            found = [c for c in annotations.all_corrections(engine) if c["event_id"] in set(run["corrections"])]
            comparison = model_check.compare(
                model, base, found, red_flags_seen(engine), cache_dir=runs_dir() / "checks"
            )
            _set(engine, run_id, status="ready", finished_at=clock.utcnow(), comparison=json.dumps(comparison))
            print(
                "Done: ready to activate"
                if comparison["allowed"]
                else "Done: activation refused: " + "; ".join(comparison["refusals"]),
                flush=True,
            )
    except Exception as error:  # recorded for staff; the log has the details
        print(f"Failed: {error!r}", flush=True)
        _set(engine, run_id, status="failed", finished_at=clock.utcnow(), error=str(error)[:2000])
    finally:
        stop.set()


# --- activation -----------------------------------------------------------------------------


def load_on_servers(model: Path, urls: Optional[List[str]] = None) -> Dict[str, str]:
    """Ask every Rasa server to load `model` (Rasa's HTTP API, PUT /model); url -> result."""
    results = {}
    for url in urls or server_urls():
        if urlsplit(url).scheme not in ("http", "https"):
            results[url] = "not an http(s) URL"
            continue
        try:
            response = requests.put(
                f"{url}/model", params={"token": api_token()}, json={"model_file": str(model)}, timeout=600
            )
            results[url] = (
                "loaded" if response.status_code == 204 else f"refused ({response.status_code}): {response.text[:200]}"
            )
        except requests.RequestException as error:
            results[url] = f"unreachable: {error.__class__.__name__}"
    return results


def activate(
    engine, username: str, run_id: Optional[int] = None, model_path: Optional[str] = None, override: bool = False
) -> Dict[str, Any]:
    """Load a ready run's model (or an earlier activated model, for a rollback) on every
    server and record it. A run whose check refused it cannot be activated."""
    run = get(engine, run_id) if run_id is not None else None
    if run_id is not None:
        if run is None or run["status"] != "ready":
            raise RunError("Only a finished run with a side-by-side check can be activated.")
        if not run["comparison"]["allowed"]:
            raise RunError("Refused: " + "; ".join(run["comparison"]["refusals"]))
        model_path = run["model_path"]
    elif model_path not in {a["model_path"] for a in history(engine)}:
        raise RunError("Only a model that was active before can be re-activated.")
    model = Path(model_path)
    if not model.is_file():
        raise RunError(f"The model file {model.name} no longer exists.")
    results = load_on_servers(model)
    numbers = run["comparison"]["summary"] if run else {}
    now = clock.utcnow()
    with engine.begin() as db:
        db.execute(
            activations.insert().values(
                model_path=str(model),
                run_id=run_id if run else _run_of(db, str(model)),
                activated_by=username,
                activated_at=now,
                numbers=json.dumps(numbers),
                servers=json.dumps(results),
            )
        )
        if run and all(result == "loaded" for result in results.values()):
            already = set(db.execute(sa.select(corrections_used.c.event_id)).scalars())
            for event_id, conversation_id in db.execute(
                sa.select(corrections.c.event_id, corrections.c.conversation_id).where(
                    corrections.c.event_id.in_(run["corrections"])
                )
            ):
                if event_id not in already:
                    db.execute(
                        corrections_used.insert().values(
                            event_id=event_id, run_id=run["id"], conversation_id=conversation_id, used_at=now
                        )
                    )
    return results


def _run_of(db, model_path: str) -> Optional[int]:
    return db.execute(sa.select(model_runs.c.id).where(model_runs.c.model_path == model_path)).scalar()


def history(engine) -> List[Dict[str, Any]]:
    """Activations, newest first; the first is what the servers run now."""
    with engine.connect() as db:
        rows = db.execute(activations.select().order_by(activations.c.id.desc())).all()
    return [
        {
            **row._mapping,
            "activated_at": clock.as_utc(row.activated_at),
            "numbers": json.loads(row.numbers or "{}"),
            "servers": json.loads(row.servers or "{}"),
        }
        for row in rows
    ]


def record_initial(engine, username: str) -> None:
    """Remember the model the servers run before the first activation, so that it can be
    rolled back to."""
    if history(engine):
        return
    try:
        model = live_model()
    except (RunError, requests.RequestException):
        return
    with engine.begin() as db:
        db.execute(
            activations.insert().values(
                model_path=str(model),
                run_id=None,
                activated_by=f"(running before, seen by {username})",
                activated_at=clock.utcnow(),
                numbers="{}",
                servers="{}",
            )
        )


if __name__ == "__main__":
    work(int(sys.argv[1]))
