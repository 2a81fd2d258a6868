"""The improvement loop's pages: themes of unanswered questions, charts, training runs,
their side-by-side check, activation and rollback (review/themes.py, review/charts.py,
review/model_runs.py). Training and activating are for admins only."""

from pathlib import Path

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from review import annotations, audit, charts, filters, model_runs, summary, themes
from review.annotations import AnnotationError
from review.views import admin_only, engine

loop = Blueprint("loop", __name__)


def _period():
    chosen, errors = filters.parse(request.args)
    _, first, last = themes.periods(chosen.first_day, chosen.last_day)
    return first, last, errors


def _ticked_ids():
    return [int(raw) for raw in request.form.getlist("event_id") if raw.isdigit()]


@loop.get("/themes")
def themes_page():
    first, last, errors = _period()
    before, _, _ = themes.periods(first, last)
    intents, _ = annotations.domain_names()
    return render_template(
        "themes.html",
        themes=themes.themes(engine(), first, last),
        first=first,
        last=last,
        before=before,
        errors=errors,
        intents=intents,
        wanted=themes.wanted(engine()),
    )


def _back_to_themes():
    return redirect(
        url_for(
            "loop.themes_page",
            first_day=request.form.get("first_day") or None,
            last_day=request.form.get("last_day") or None,
        )
    )


@loop.post("/themes/train")
def theme_train():
    intent = request.form.get("intent", "")
    try:
        count = themes.train_as(engine(), _ticked_ids(), intent, g.user["username"])
    except AnnotationError as problem:
        flash(f"Nothing saved: {problem}", "error")
    else:
        audit.record(engine(), g.user["username"], "theme_train", detail=f"{count} messages -> {intent}")
        flash(f"Saved {count} messages as “{intent}”: they are corrections now, in the next training run.")
    return _back_to_themes()


@loop.post("/themes/wanted")
def theme_wanted():
    try:
        wanted_id = themes.want_answer(engine(), _ticked_ids(), request.form.get("title", ""), g.user["username"])
    except AnnotationError as problem:
        flash(f"Nothing saved: {problem}", "error")
    else:
        audit.record(engine(), g.user["username"], "theme_wanted", detail=f"answer {wanted_id}")
        flash("Listed under “Answers the clinic should write”.")
    return _back_to_themes()


@loop.post("/themes/wanted/done")
def theme_wanted_done():
    raw = request.form.get("wanted_id", "")
    if not raw.isdigit():
        abort(404)
    done = request.form.get("done") == "1"
    themes.mark_answer_written(engine(), int(raw), g.user["username"], done)
    audit.record(engine(), g.user["username"], "wanted_done" if done else "wanted_reopen", detail=f"answer {raw}")
    return _back_to_themes()


# --- charts --------------------------------------------------------------------------------

# An SVG is fetched as an image (no script runs in one), but matplotlib styles its
# elements with style attributes, which the app-wide CSP (style-src 'self') would block.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


@loop.get("/charts")
def charts_page():
    chosen, errors = filters.parse(request.args)
    first, last, notes = summary.days_to_show(chosen.first_day, chosen.last_day)
    return render_template(
        "charts.html",
        first=first,
        last=last,
        errors=errors + notes,
        stats=charts.collect(engine(), first, last),
        charts=charts.CHARTS,
    )


@loop.get("/charts/<name>.svg")
def chart_svg(name):
    if name not in charts.CHARTS:
        abort(404)
    chosen, _ = filters.parse(request.args)
    first, last, _ = summary.days_to_show(chosen.first_day, chosen.last_day)
    body = charts.svg(name, charts.collect(engine(), first, last))
    return Response(body, content_type="image/svg+xml; charset=utf-8", headers={"Content-Security-Policy": SVG_CSP})


# --- training, the side-by-side check, activation -------------------------------------------


@loop.get("/model")
def model_page():
    corrections = annotations.all_corrections(engine())
    used = model_runs.used_event_ids(engine())
    return render_template(
        "model.html",
        runs=model_runs.recent(engine()),
        active=model_runs.active(engine()),
        history=model_runs.history(engine()),
        corrections=len(corrections),
        new_corrections=sum(c["event_id"] not in used for c in corrections),
        progress=model_runs.progress,
    )


@loop.post("/model/train")
@admin_only
def start_training():
    model_runs.record_initial(engine(), g.user["username"])
    try:
        run_id = model_runs.start(engine(), g.user["username"], engine().url.render_as_string(hide_password=False))
    except model_runs.RunError as problem:
        flash(str(problem), "error")
        return redirect(url_for("loop.model_page"))
    audit.record(engine(), g.user["username"], "train_start", detail=f"run {run_id}")
    flash(f"Training run {run_id} started. It takes a few minutes; this page follows it.")
    return redirect(url_for("loop.run_page", run_id=run_id))


@loop.get("/model/runs/<int:run_id>")
def run_page(run_id):
    run = model_runs.get(engine(), run_id)
    if run is None:
        abort(404, "There is no such training run.")
    return render_template(
        "run.html",
        run=run,
        log=model_runs.log_tail(run),
        progress=model_runs.progress(run),
        going=run["status"] in model_runs.ACTIVE,
    )


def _activated(results, what):
    failed = {url: result for url, result in results.items() if result != "loaded"}
    if failed:
        flash(
            f"{what}, but not every server loaded it: "
            + "; ".join(f"{url}: {result}" for url, result in failed.items()),
            "error",
        )
    else:
        flash(f"{what}: {len(results)} server(s) answer with it now.")


@loop.post("/model/runs/<int:run_id>/activate")
@admin_only
def activate_run(run_id):
    try:
        results = model_runs.activate(engine(), g.user["username"], run_id=run_id)
    except model_runs.RunError as problem:
        flash(str(problem), "error")
        return redirect(url_for("loop.run_page", run_id=run_id))
    audit.record(engine(), g.user["username"], "model_activate", detail=f"run {run_id}")
    _activated(results, f"Activated the model of run {run_id}")
    return redirect(url_for("loop.model_page"))


@loop.post("/model/reactivate")
@admin_only
def reactivate():
    model_path = request.form.get("model_path", "")
    try:
        results = model_runs.activate(engine(), g.user["username"], model_path=model_path)
    except model_runs.RunError as problem:
        flash(str(problem), "error")
        return redirect(url_for("loop.model_page"))
    audit.record(engine(), g.user["username"], "model_reactivate", detail=Path(model_path).name)
    _activated(results, f"Re-activated {Path(model_path).name}")
    return redirect(url_for("loop.model_page"))
