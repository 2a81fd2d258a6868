"""The review web app: factory, login gate, CSRF check and security headers.

Every request except the login page, the health check and the stylesheet needs a live
session; every POST needs the form's CSRF token to match the one in the session cookie.
The pages themselves are in review.views."""

import hmac
import os
import secrets
from pathlib import Path
from typing import Optional

from flask import Flask, abort, g, redirect, render_template, request, session, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from clinic.local_secrets import persistent_secret
from review import auth, clock
from review.tables import connect

PUBLIC_ENDPOINTS = {"views.login", "views.healthz", "static"}
SECURITY_HEADERS = {
    # No scripts at all; styles and forms only from here; never inside a frame.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # URLs carry search words (patients' words); don't hand them to other sites.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    # Patient data must not linger in shared browser caches.
    "Cache-Control": "no-store",
}


def secret_key() -> str:
    """REVIEW_SECRET_KEY, or one generated once and kept in var/ (like the API token)."""
    return persistent_secret("REVIEW_SECRET_KEY", "review_secret_key", 48)


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def create_app(engine=None, key: Optional[str] = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(Path(__file__).parent / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.config.update(
        SECRET_KEY=key or secret_key(),
        SESSION_COOKIE_NAME="review_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Set REVIEW_SECURE_COOKIES=1 when the app is served over HTTPS (it should be,
        # anywhere but this machine's loopback).
        SESSION_COOKIE_SECURE=os.environ.get("REVIEW_SECURE_COOKIES", "") == "1",
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.extensions["review_engine"] = engine or connect()
    # Behind REVIEW_PROXIES reverse proxies (the TLS terminator), the client's address is
    # the one they put in X-Forwarded-For; login throttling counts per address.
    proxies = int(os.environ.get("REVIEW_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from review.loop_views import loop
    from review.views import views

    app.register_blueprint(views)
    app.register_blueprint(loop)  # themes, charts, training and activation
    app.jinja_env.globals.update(csrf_token=csrf_token, fmt=clock.fmt)

    @app.before_request
    def require_login_and_csrf():
        g.user = None
        if request.endpoint not in PUBLIC_ENDPOINTS:
            g.user = auth.session_user(app.extensions["review_engine"], session.get("sid"))
            if g.user is None:
                expired = "sid" in session
                session.pop("sid", None)
                return redirect(
                    url_for("views.login", next=request.full_path.rstrip("?"), expired=1 if expired else None)
                )
        if request.method == "POST":
            sent = request.form.get("csrf_token", "")
            expected = session.get("csrf", "")
            if not (sent and expected and hmac.compare_digest(sent, expected)):
                abort(
                    400, "This form was not sent from this site or has expired. Go back, reload the page and try again."
                )

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(413)
    def error_page(error):
        return render_template("error.html", error=error), error.code

    return app
