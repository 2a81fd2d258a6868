"""The demo website of the fictional example clinic (clinic.yml), with the chat widget.

`make run` starts it (http://localhost:8080 by default). It serves two pages, so moving
between pages with the chat open can be tried, and the built widget at
/webchat/webchat.js, which is also where a clinic's own site can load it from.

    python -m webchat.demo_site --port 8080 --rasa-port 5005
"""

import argparse
import html
import os
import sys
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template
from typing import Dict, Optional, Tuple
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clinic.settings import clinic_slots, load_clinic, opening_hours  # noqa: E402

HERE = Path(__file__).resolve().parent
WIDGET = HERE / "dist" / "webchat.js"
LAYOUT = Template((HERE / "site" / "layout.html").read_text(encoding="utf-8"))
e = partial(html.escape, quote=True)


def snippet(server_url: str, clinic: Dict) -> str:
    """The embed tag, exactly as a clinic would put it on its own pages."""
    attributes = {
        "src": "/webchat/webchat.js",
        "data-server-url": server_url,
        "data-title": clinic.get("short_name") or clinic["name"],
        "data-subtitle": "Questions about knee pain from running",
        "data-color": "#0b6e4f",
        "data-position": "right",
        "data-init-payload": "/greet",
    }
    return "<script " + " ".join(f'{name}="{e(value)}"' for name, value in attributes.items()) + " defer></script>"


def home_page(clinic: Dict, slots: Dict[str, str]) -> Tuple[str, str]:
    hours = "\n".join(
        f"<tr><th>{e(day.capitalize())}</th><td>{e(f'{span.opens}–{span.closes}' if span else 'closed')}</td></tr>"
        for day, span in opening_hours(clinic).items()
    )
    return (
        "Home",
        f"""
    <h1>Physiotherapy for runners</h1>
    <p>Knee hurting after your runs? {e(clinic["name"])} helps runners understand what is
    going on, get back to running and stay there.</p>
    <p>Questions about your knee? Ask our assistant with the chat button at the bottom of
    the page: it explains what usually helps and when it is worth seeing a physio.</p>
    <h2>Opening hours</h2>
    <table>{hours}</table>
    <h2>Find us</h2>
    <p>{e(slots["clinic_address"])}. {e(slots["clinic_directions"])}</p>""",
    )


def services_page(clinic: Dict, slots: Dict[str, str]) -> Tuple[str, str]:
    services = "".join(f"<li>{e(service)}</li>" for service in clinic.get("services", []))
    prices = clinic.get("prices") or {}
    rows = "".join(
        f"<tr><td>{e(item['name'])}</td><td>{e(prices.get('currency', ''))}{e(str(item['price']))}</td></tr>"
        for item in prices.get("items", [])
    )
    return (
        "Services and prices",
        f"""
    <h1>Services and prices</h1>
    <ul>{services}</ul>
    <table>{rows}</table>
    <p>{e(slots["clinic_insurance"])}</p>""",
    )


PAGES = {"/": home_page, "/services": services_page}


class DemoSite(BaseHTTPRequestHandler):
    server_version = "ClinicDemoSite"
    rasa_port = 5005
    server_url: Optional[str] = None

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = urlsplit(self.path).path
        if path in PAGES:
            self.send_page(PAGES[path])
        elif path == "/webchat/webchat.js":
            self.send_file(WIDGET, "text/javascript; charset=utf-8")
        elif path == "/site.css":
            self.send_file(HERE / "site" / "site.css", "text/css; charset=utf-8")
        elif path == "/favicon.ico":
            self.send_body(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        elif path == "/health":
            self.send_body(HTTPStatus.OK, b"ok", "text/plain")
        else:
            self.send_body(HTTPStatus.NOT_FOUND, b"Not found", "text/plain")

    def widget_server_url(self) -> str:
        """The Rasa server the widget talks to: --server-url, else the host this page was
        asked for (localhost, 127.0.0.1 or a LAN address) on the Rasa port."""
        if self.server_url:
            return self.server_url
        hostname = urlsplit(f"//{self.headers.get('Host', 'localhost')}").hostname or "localhost"
        return f"http://{hostname}:{self.rasa_port}"

    def send_page(self, page) -> None:
        clinic = load_clinic()  # re-read on change, like the assistant does
        slots = clinic_slots(clinic)
        page_title, content = page(clinic, slots)
        body = LAYOUT.substitute(
            page_title=e(page_title),
            content=content,
            snippet=snippet(self.widget_server_url(), clinic),
            clinic_name=e(clinic["name"]),
            clinic_address=e(slots["clinic_address"]),
            clinic_phone=e(slots["clinic_phone"]),
            clinic_email=e(slots["clinic_email"]),
        )
        self.send_body(HTTPStatus.OK, body.encode("utf-8"), "text/html; charset=utf-8")

    def send_file(self, path: Path, content_type: str) -> None:
        if not path.exists():
            message = f"{path.relative_to(HERE.parent)} is missing: run `make webchat`."
            self.send_body(HTTPStatus.SERVICE_UNAVAILABLE, message.encode(), "text/plain")
            return
        self.send_body(HTTPStatus.OK, path.read_bytes(), content_type)

    def send_body(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        if os.environ.get("WEBCHAT_ACCESS_LOG"):
            super().log_message(format, *args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=os.environ.get("WEBCHAT_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEBCHAT_PORT", 8080)))
    parser.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    parser.add_argument(
        "--server-url",
        default=os.environ.get("WEBCHAT_SERVER_URL"),
        help="the Rasa server's public address (default: this page's host, Rasa port)",
    )
    args = parser.parse_args()
    DemoSite.rasa_port = args.rasa_port
    DemoSite.server_url = args.server_url
    server = ThreadingHTTPServer((args.host, args.port), DemoSite)
    print(f"Demo clinic page on http://{args.host}:{args.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
