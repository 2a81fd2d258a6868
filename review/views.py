"""The review app's pages: login, conversation list, transcript and annotations,
corrections export, conversation export, summary and audit log."""

import re
import unicodedata
from datetime import date
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from clinic import bookings
from review import annotations, audit, auth, conversations, exports, filters, privacy, summary
from review.annotations import AnnotationError

views = Blueprint("views", __name__)


def engine():
    return current_app.extensions["review_engine"]


def admin_only(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not g.user["is_admin"]:
            abort(403, "Only an admin can do this.")
        return view(*args, **kwargs)

    return wrapper


def _safe_next(target: str) -> str:
    """Only ever go back to a page of this app after login (no open redirect).

    Checked as a browser will read it: browsers drop tabs and newlines anywhere in a URL
    (`/%09/evil.example` is `//evil.example`, another site) and read `\\` as `/`."""
    target = re.sub(r"[\t\n\r]", "", target or "")
    same_site = (
        target.startswith("/")
        and not target.startswith("//")
        and not any(char == "\\" or unicodedata.category(char) == "Cc" for char in target)
        and not urlsplit(target).netloc
    )
    return target if same_site else url_for("views.conversation_list")


def _download(body: str, filename: str, mimetype: str) -> Response:
    # Flask adds "; charset=utf-8" to text/* types itself; a full content type is kept as is.
    return Response(
        body,
        content_type=f"{mimetype}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@views.get("/healthz")
def healthz():
    return "ok"


@views.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip().lower()[:80]
        address = request.remote_addr
        try:
            user = auth.authenticate(engine(), username, request.form.get("password", ""), address)
        except auth.LoginError as refused:
            error = str(refused)
            # Only checked passwords are recorded (a few per pause), never the refusals
            # while paused: the audit log cannot be flooded from the login page.
            if refused.counted:
                audit.record(engine(), username or "-", "login_failed", detail=f"from {address}")
            for counter, pause in refused.paused:
                audit.record(
                    engine(),
                    username or "-",
                    "login_paused",
                    detail=f"{counter.key}: {counter.limit} wrong passwords, paused {pause.total_seconds() / 60:g} min",
                )
        else:
            # A fresh session (and CSRF token) at login: nothing set before it carries over.
            session.clear()
            session["sid"] = auth.start_session(engine(), user["id"])
            audit.record(engine(), user["username"], "login")
            return redirect(_safe_next(request.form.get("next", "")))
    return render_template(
        "login.html", error=error, next=request.values.get("next", ""), expired=request.args.get("expired")
    ), (429 if error == auth.PAUSED else 401) if error else 200


@views.post("/logout")
def logout():
    auth.end_session(engine(), session.get("sid"))
    audit.record(engine(), g.user["username"], "logout")
    session.clear()
    return redirect(url_for("views.login"))


@views.get("/")
def conversation_list():
    chosen, errors = filters.parse(request.args)
    page_number = request.args.get("page", "1")
    page = conversations.find(engine(), chosen, int(page_number) if page_number.isdigit() else 1)
    intents, _ = annotations.domain_names()
    return render_template(
        "list.html",
        page=page,
        f=chosen,
        errors=errors,
        query=chosen.as_query(),
        channels=conversations.channels(engine()),
        intents=intents + [conversations.FALLBACK_INTENT],
        tags=annotations.all_tags(engine()),
    )


@views.get("/conversations/<path:conversation_id>")
def conversation(conversation_id):
    row = conversations.summary_of(engine(), conversation_id)
    if row is None:
        abort(404, "There is no conversation with this id (it may have been deleted).")
    audit.record(engine(), g.user["username"], "view_conversation", conversation_id)
    intents, entities = annotations.domain_names()
    marks = annotations.marks_for(engine(), [conversation_id])[conversation_id]
    return render_template(
        "conversation.html",
        row=row,
        marks=marks,
        turns=conversations.transcript(engine(), conversation_id),
        intents=intents,
        entities=entities,
        statuses=bookings.STATUSES,
        requests=bookings.list_requests(conversation_id=conversation_id, engine=engine()),
    )


def _back_to_conversation(conversation_id: str, anchor: str = ""):
    return redirect(url_for("views.conversation", conversation_id=conversation_id) + anchor)


def _existing_conversation() -> str:
    conversation_id = request.form.get("conversation_id", "")
    if conversations.summary_of(engine(), conversation_id) is None:
        abort(404, "There is no conversation with this id (it may have been deleted).")
    return conversation_id


@views.post("/annotate/reviewed")
def mark_reviewed():
    conversation_id = _existing_conversation()
    done = request.form.get("done") == "1"
    annotations.set_reviewed(engine(), conversation_id, g.user["username"], done)
    audit.record(engine(), g.user["username"], "reviewed" if done else "unreviewed", conversation_id)
    flash("Marked as reviewed." if done else "Marked as not reviewed.")
    return _back_to_conversation(conversation_id)


@views.post("/annotate/tag")
def add_tag():
    conversation_id = _existing_conversation()
    try:
        tag = annotations.add_tag(engine(), conversation_id, request.form.get("tag", ""), g.user["username"])
    except AnnotationError as problem:
        flash(str(problem), "error")
    else:
        audit.record(engine(), g.user["username"], "tag", conversation_id, tag)
        flash(f"Tagged “{tag}”.")
    return _back_to_conversation(conversation_id)


@views.post("/annotate/untag")
def remove_tag():
    conversation_id = _existing_conversation()
    tag = request.form.get("tag", "")
    annotations.remove_tag(engine(), conversation_id, tag)
    audit.record(engine(), g.user["username"], "untag", conversation_id, tag)
    flash(f"Removed the tag “{tag}”.")
    return _back_to_conversation(conversation_id)


@views.post("/annotate/note")
def add_note():
    conversation_id = _existing_conversation()
    try:
        annotations.add_note(engine(), conversation_id, request.form.get("body", ""), g.user["username"])
    except AnnotationError as problem:
        flash(str(problem), "error")
    else:
        audit.record(engine(), g.user["username"], "note", conversation_id)
        flash("Note saved.")
    return _back_to_conversation(conversation_id, "#notes")


@views.post("/annotate/correct")
def correct():
    raw_id = request.form.get("event_id", "")
    message = conversations.user_message(engine(), int(raw_id)) if raw_id.isdigit() else None
    if message is None:
        abort(404, "There is no such patient message (it may have been deleted).")
    intent = request.form.get("intent", "")
    try:
        annotations.correct(
            engine(), int(raw_id), message, intent, request.form.get("annotated", ""), g.user["username"]
        )
    except AnnotationError as problem:
        flash(f"Correction not saved: {problem}", "error")
    else:
        audit.record(
            engine(),
            g.user["username"],
            "correct_intent",
            message["conversation_id"],
            f"event {raw_id}: {message['intent']} -> {intent}",
        )
        flash(f"Saved: this message is “{intent}”. It is in the next training data export.")
    return _back_to_conversation(message["conversation_id"], f"#event-{raw_id}")


@views.post("/delete")
@admin_only
def delete_conversation():
    conversation_id = _existing_conversation()
    if request.form.get("confirm", "").strip() != "DELETE":
        flash("Not deleted: type DELETE in the box to confirm.", "error")
        return _back_to_conversation(conversation_id, "#delete")
    deleted = privacy.delete_conversations(engine(), [conversation_id], g.user["username"])
    flash(f"Deleted: {deleted}.")
    return redirect(url_for("views.conversation_list"))


@views.get("/requests")
def booking_requests():
    status = request.args.get("status", "new")
    kind = request.args.get("kind", "")
    found = bookings.list_requests(
        status=status if status in bookings.STATUSES else None,
        kind=kind if kind in bookings.KINDS else None,
        limit=500,
        engine=engine(),
    )
    return render_template(
        "requests.html", requests=found, status=status, kind=kind, statuses=bookings.STATUSES, kinds=bookings.KINDS
    )


@views.post("/requests/status")
def booking_request_status():
    raw_id, status = request.form.get("request_id", ""), request.form.get("status", "")
    if status not in bookings.STATUSES:
        abort(400, f"“{status}” is not a request status.")
    try:
        updated = bookings.update_status(int(raw_id) if raw_id.isdigit() else -1, status, engine=engine())
    except LookupError:
        abort(404, "There is no such request (it may have been deleted).")
    audit.record(
        engine(),
        g.user["username"],
        "request_status",
        updated.conversation_id,
        f"request {updated.id} ({updated.kind}) -> {status}",
    )
    flash(f"Request {updated.id} is now “{status}”.")
    if request.form.get("back") == "conversation":
        return _back_to_conversation(updated.conversation_id, "#requests")
    return redirect(url_for("views.booking_requests"))


@views.get("/corrections")
def corrections():
    return render_template("corrections.html", corrections=annotations.all_corrections(engine()))


@views.get("/corrections/nlu.yml")
def corrections_export():
    found = annotations.all_corrections(engine())
    today = date.today().isoformat()
    body = annotations.nlu_yaml(
        found,
        comment=(
            f"Intent corrections from staff review, exported {today} by {g.user['username']}.\n"
            "Save under data/nlu/, check with `make validate`, then `make train`."
        ),
    )
    audit.record(engine(), g.user["username"], "export_nlu", detail=f"{len(found)} corrections")
    return _download(body, f"review_corrections_{today}.yml", "application/x-yaml")


@views.get("/export")
def export_form():
    first, last = filters.last_days(30)
    return render_template("export.html", first=first, last=last)


@views.get("/export/conversations.<fmt>")
def export(fmt):
    if fmt not in ("csv", "json"):
        abort(404)
    chosen, errors = filters.parse(request.args)
    if errors or not (chosen.first_day and chosen.last_day):
        first, last = filters.last_days(30)
        return render_template(
            "export.html", first=first, last=last, errors=errors or ["Choose the first and last day to export."]
        ), 400
    body = exports.as_csv(engine(), chosen) if fmt == "csv" else exports.as_json(engine(), chosen)
    span = f"{chosen.first_day}_{chosen.last_day}"
    audit.record(
        engine(), g.user["username"], f"export_{fmt}", detail=" ".join(f"{k}={v}" for k, v in chosen.as_query().items())
    )
    mimetype = "text/csv" if fmt == "csv" else "application/json"
    return _download(body, f"conversations_{span}.{fmt}", mimetype)


@views.get("/summary")
def summary_page():
    chosen, errors = filters.parse(request.args)
    chosen.first_day, chosen.last_day, notes = summary.days_to_show(chosen.first_day, chosen.last_day)
    return render_template(
        "summary.html",
        f=chosen,
        errors=errors + notes,
        report=summary.build(engine(), chosen.first_day, chosen.last_day),
    )


@views.get("/audit")
@admin_only
def audit_log():
    return render_template(
        "audit.html",
        actions=audit.actions(engine()),
        entries=audit.recent(engine(), 300, request.args.get("username", ""), request.args.get("action", "")),
    )
