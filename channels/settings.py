"""Channels take their settings from environment variables (or `.env`), so no secret is
ever committed: credentials.yml only names the channel classes. A channel whose
variables are not all set is off, and says so in one log line at start-up. Also here:
the web pages allowed to use the assistant from a browser (ALLOWED_ORIGINS).

(Rasa's own `${VAR}` substitution in credentials.yml would instead stop the server
when a variable is missing, so a clinic without Telegram could not start at all.)"""

import logging
import os
from typing import Any, Dict, List, Optional

from sanic import Blueprint

logger = logging.getLogger(__name__)

DOCS = "docs/channels.md"


def channel_settings(
    channel: str, variables: Dict[str, str], credentials: Optional[Dict[str, Any]] = None
) -> Optional[Dict[str, str]]:
    """Setting name -> value, from credentials.yml if given there, else the environment
    variable named in `variables`; None (channel off) when any of them is missing."""
    credentials = credentials or {}
    values = {key: str(credentials.get(key) or os.environ.get(env) or "").strip() for key, env in variables.items()}
    missing = [env for key, env in variables.items() if not values[key]]
    if not missing:
        logger.info("%s channel is on.", channel)
        return values
    if len(missing) == len(variables):
        logger.info("%s channel is off: set %s to turn it on (see %s).", channel, ", ".join(missing), DOCS)
    else:
        logger.warning(
            "%s channel is off: %s not set, although other %s variables are (see %s).",
            channel,
            ", ".join(missing),
            channel,
            DOCS,
        )
    return None


def optional_setting(env: str, default: str) -> str:
    return (os.environ.get(env) or "").strip() or default


def disabled_blueprint(name: str) -> Blueprint:
    """A blueprint without routes: the channel's webhook answers 404."""
    return Blueprint(name)


# Where `make run` serves the demo clinic page (webchat/demo_site.py), allowed when the
# clinic has not configured its own origins yet.
DEFAULT_WEBCHAT_PORT = 8080


def allowed_origins(webchat_port: Optional[int] = None) -> List[str]:
    """The web pages that may use the assistant from a browser (the chat widget, CORS):
    ALLOWED_ORIGINS, space- or comma-separated (e.g. "https://clinic.example.com"), or the
    demo page's own addresses when it is not set. There is no wildcard: a page allowed
    here can talk to the assistant in its visitors' name."""
    raw = os.environ.get("ALLOWED_ORIGINS", "").replace(",", " ").split()
    if "*" in raw:
        raise ValueError(
            "ALLOWED_ORIGINS may not contain '*': list the clinic's own pages, "
            "e.g. https://www.clinic.example.com (see docs/security.md)."
        )
    if raw:
        return [origin.rstrip("/") for origin in raw]
    port = webchat_port or os.environ.get("WEBCHAT_PORT") or DEFAULT_WEBCHAT_PORT
    return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]
