"""`make run` shows what started and where, not the libraries' deprecation warnings: those
go to var/log/warnings.log (scripts/warning_log.py)."""

import io
import subprocess
import sys
import threading

import pytest

from scripts.warning_log import divert_warnings, split_warnings

# A service that warns the ways Rasa's dependencies do (one-line and multi-line messages),
# logs, and fails with a traceback.
NOISY_SERVICE = r"""
import logging, sys, warnings
logging.basicConfig(format="%(asctime)s %(levelname)-8s %(name)s  - %(message)s", level=logging.INFO)
warnings.warn("'setParseAction' deprecated - use 'set_parse_action'", DeprecationWarning)
logging.getLogger("rasa").info("Rasa server is up and running.")
warnings.warn("Deprecated call to `declare_namespace('ruamel')`.\nImplementing implicit "
              "namespace packages is preferred.", DeprecationWarning)
print("Staff review app on http://127.0.0.1:8090/", file=sys.stderr)
sys.exit("error: the model file is missing")
"""


def test_warnings_go_to_the_log_and_everything_else_to_the_terminal(tmp_path):
    service = tmp_path / "service.py"  # a file, so that warnings quote their source line
    service.write_text(NOISY_SERVICE)
    child = subprocess.Popen([sys.executable, "-W", "always", str(service)], stderr=subprocess.PIPE, text=True)
    terminal, log = io.StringIO(), io.StringIO()
    divert_warnings(child.stderr, terminal, log, threading.Lock()).join(timeout=30)
    assert child.wait(timeout=30) == 1

    shown = terminal.getvalue().splitlines()
    assert len(shown) == 3
    assert shown[0].endswith("INFO     rasa  - Rasa server is up and running.")
    assert shown[1:] == ["Staff review app on http://127.0.0.1:8090/", "error: the model file is missing"]
    logged = log.getvalue()
    assert "DeprecationWarning: 'setParseAction' deprecated" in logged
    assert "Implementing implicit namespace packages is preferred." in logged
    assert "Warning" not in terminal.getvalue()


@pytest.mark.parametrize("review_seeded", ["sqlite"], indirect=True)
def test_make_run_shows_the_addresses_without_warnings(review_seeded):
    shown = review_seeded.servers.runner.log()  # what `make run` printed
    assert "The assistant is running. Press Ctrl-C to stop." in shown
    assert "Warnings:  var/log/warnings.log" in shown
    assert "Warning:" not in shown, [line for line in shown.splitlines() if "Warning:" in line]


def test_a_warning_without_its_source_line_ends_at_the_next_log_record():
    lines = [
        "<frozen importlib._bootstrap>:241: RuntimeWarning: numpy size changed\n",
        "2026-11-30 22:15:08 INFO     channels.settings  - REST channel is on.\n",
    ]
    assert [is_warning for is_warning, _ in split_warnings(lines)] == [True, False]
