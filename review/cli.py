"""`python -m review ...`: the review tools in a terminal.

serve        run the web app (what `make run` starts)
create-user  add a staff account (`make staff-user`)   set-password  reset one
users        the staff accounts                         delete-user   remove one (and its sessions)
list         conversations, newest first, with the web list's filters
show         one transcript with intents, confidences and entities
export       conversations for a date range as CSV or JSON
export-nlu   staff corrections as Rasa NLU training data
retention    delete conversations older than the retention period, and expired staff
             sessions (`make retention`)
delete       delete one patient's conversations on request
audit        the latest audit log entries
"""

import argparse
import getpass
import os
import sys
import textwrap
from typing import List, Optional

from review import annotations, audit, auth, clock, conversations, exports, filters, privacy
from review.sanitize import for_terminal as shown
from review.tables import connect

# Everything printed from the database goes through `shown`: patients (and anyone typing a
# username at the login page) can put terminal escape sequences in it.


def _operator() -> str:
    """Who ran a command, for the audit log."""
    return f"cli:{os.environ.get('USER') or getpass.getuser()}"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    try:
        first = getpass.getpass("Password (at least 12 characters): ")
        again = getpass.getpass("Same password again: ")
    except EOFError:
        raise auth.AccountError("No password was entered (use --password-stdin to pipe one).")
    if again != first:
        raise auth.AccountError("The two passwords differ.")
    return first


def _filters(args) -> filters.Filters:
    raw = {
        "first_day": args.first_day,
        "last_day": args.last_day,
        "channel": args.channel,
        "intent": args.intent,
        "tag": args.tag,
        "search": args.search,
        "threshold": args.low_confidence,
        "low_confidence": "1" if args.low_confidence else "",
        "fallback": "1" if args.fallback else "",
        "red_flag": "1" if args.red_flag else "",
        "booking": "1" if args.booking else "",
        "human": "1" if args.human else "",
        "reviewed": args.reviewed or "",
    }
    chosen, errors = filters.parse({k: v or "" for k, v in raw.items()})
    if errors:
        raise SystemExit("error: " + " ".join(errors))
    return chosen


def cmd_serve(args) -> int:
    from waitress import serve

    from review.web import create_app

    print(f"Staff review app on http://{args.host}:{args.port}/", flush=True)
    serve(create_app(), host=args.host, port=args.port, threads=4, ident="review")
    return 0


def cmd_create_user(args) -> int:
    engine = connect()
    user = auth.create_user(engine, args.username, _read_password(args.password_stdin), args.admin)
    audit.record(engine, _operator(), "create_user", detail=user["username"])
    print(f"Created {'admin' if args.admin else 'staff'} account {user['username']}.")
    return 0


def cmd_set_password(args) -> int:
    engine = connect()
    auth.set_password(engine, args.username, _read_password(args.password_stdin))
    audit.record(engine, _operator(), "set_password", detail=args.username)
    print(f"New password set for {args.username}; their sessions were ended.")
    return 0


def cmd_users(args) -> int:
    for user in auth.list_users(connect()):
        role = "admin" if user["is_admin"] else "staff"
        print(f"{shown(user['username'])}  {role}  since {clock.as_utc(user['created_at']):%Y-%m-%d}")
    return 0


def cmd_delete_user(args) -> int:
    engine = connect()
    if not auth.delete_user(engine, args.username):
        raise auth.AccountError(f"There is no staff account {args.username!r}.")
    audit.record(engine, _operator(), "delete_user", detail=args.username)
    print(f"Deleted the staff account {args.username}; their sessions were ended.")
    return 0


def cmd_list(args) -> int:
    engine = connect()
    page = conversations.find(engine, _filters(args), page=args.page, size=args.limit)
    print(f"{page.total} conversation(s); page {page.number} of {page.pages}")
    for row in page.rows:
        flags = [
            name
            for name, on in (
                ("red-flag", row.red_flag),
                ("fallback", row.fallback),
                ("person", row.human),
                ("booking", row.booking),
                ("reviewed", row.reviewed),
            )
            if on
        ]
        confidence = f"{row.min_confidence:.2f}" if row.min_confidence is not None else "-"
        print(
            f"{clock.fmt(row.last_active)}  {shown(row.conversation_id)}  "
            f"{shown(row.channel or '-')}  msgs={row.user_messages} min_conf={confidence}  "
            f"{' '.join(flags)}{'  tags=' + ','.join(row.tags) if row.tags else ''}"
        )
        print(f"    {textwrap.shorten(shown(row.first_message), 100)}")
    return 0


def cmd_show(args) -> int:
    engine = connect()
    row = conversations.summary_of(engine, args.conversation_id)
    if row is None:
        print(f"No conversation {shown(args.conversation_id)!r}.", file=sys.stderr)
        return 1
    audit.record(engine, _operator(), "view_conversation", args.conversation_id)
    print(
        f"Conversation {shown(row.conversation_id)} ({shown(row.channel or 'unknown channel')}), "
        f"{clock.fmt(row.started)} – {clock.fmt(row.last_active)}"
    )
    for turn in conversations.transcript(engine, args.conversation_id):
        at = clock.fmt(turn.at, with_seconds=True)
        if turn.kind == "user":
            confidence = f"{turn.confidence:.2f}" if turn.confidence is not None else "?"
            print(f"{at}  PATIENT: {shown(turn.text)}")
            print(
                f"          intent {shown(turn.intent)} ({confidence})"
                + (f"; corrected to {turn.correction['intent']}" if turn.correction else "")
            )
            if turn.runner_ups:
                print(
                    "          runner-ups "
                    + ", ".join(f"{shown(r['name'])} ({r['confidence'] or 0:.2f})" for r in turn.runner_ups)
                )
            for entity in turn.entities:
                print(f"          entity {shown(entity['entity'])}={shown(entity.get('value'))}")
        elif turn.kind == "bot":
            print(f"{at}  ASSISTANT: {shown(turn.text)}")
        elif turn.kind == "action":
            print(f"{at}    > {shown(turn.name)}")
        elif turn.kind == "session_started":
            print(f"{at}  --- new session ---")
    return 0


def _write(text: str, output: Optional[str]) -> None:
    if output and output != "-":
        with open(output, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        print(f"Wrote {output}", file=sys.stderr)
    else:
        # Piped or redirected, the document is written as it is; on a terminal, safely.
        sys.stdout.write(shown(text, keep_lines=True) if sys.stdout.isatty() else text)


def cmd_export(args) -> int:
    engine = connect()
    chosen = _filters(args)
    if not (chosen.first_day and chosen.last_day):
        raise SystemExit("error: export needs --from and --to (YYYY-MM-DD)")
    body = exports.as_csv(engine, chosen) if args.format == "csv" else exports.as_json(engine, chosen)
    audit.record(
        engine, _operator(), f"export_{args.format}", detail=" ".join(f"{k}={v}" for k, v in chosen.as_query().items())
    )
    _write(body, args.output)
    return 0


def cmd_export_nlu(args) -> int:
    engine = connect()
    found = annotations.all_corrections(engine)
    audit.record(engine, _operator(), "export_nlu", detail=f"{len(found)} corrections")
    _write(annotations.nlu_yaml(found, comment="Intent corrections from staff review."), args.output)
    return 0


def cmd_retention(args) -> int:
    days = args.days or privacy.retention_days()
    engine = connect()
    result = privacy.apply_retention(engine, days, _operator())
    print(f"Retention ({days} days): {result}.")
    print(f"Expired staff sessions deleted: {auth.forget_expired_sessions(engine)}.")
    return 0


def cmd_delete(args) -> int:
    engine = connect()
    ids = list(args.conversation_id)
    if args.search:
        ids += [row.conversation_id for row in conversations.find_all(engine, filters.Filters(search=args.search))]
    if not ids:
        print("No matching conversations.")
        return 1
    for cid in ids:
        row = conversations.summary_of(engine, cid)
        preview = textwrap.shorten(shown(row.first_message), 70) if row else "(not found)"
        print(f"  {shown(cid)}  {preview}")
    if not args.yes and input(f"Delete these {len(ids)} conversation(s) for good? [y/N] ").strip().lower() not in (
        "y",
        "yes",
    ):
        print("Nothing deleted.")
        return 1
    print(f"{privacy.delete_conversations(engine, ids, _operator())}.")
    return 0


def cmd_audit(args) -> int:
    for entry in reversed(audit.recent(connect(), args.limit)):
        print(
            f"{clock.fmt(entry['at'], True)}  {shown(entry['username'])}  {entry['action']}  "
            f"{shown(entry['conversation_id'] or '')}  {shown(entry['detail'])}"
        )
    return 0


def _add_filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="first_day", help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="last_day", help="last day, YYYY-MM-DD")
    parser.add_argument("--channel")
    parser.add_argument("--intent")
    parser.add_argument("--tag")
    parser.add_argument("--search", help="words that must all appear")
    parser.add_argument(
        "--low-confidence",
        nargs="?",
        const=str(filters.DEFAULT_THRESHOLD),
        metavar="THRESHOLD",
        help="a message below this confidence",
    )
    parser.add_argument("--fallback", action="store_true", help="the assistant did not understand")
    parser.add_argument("--red-flag", action="store_true")
    parser.add_argument("--booking", action="store_true")
    parser.add_argument("--human", action="store_true", help="a person was requested")
    parser.add_argument("--reviewed", choices=["yes", "no"])


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m review", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web app")
    serve.add_argument("--host", default=os.environ.get("REVIEW_HOST") or "127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("REVIEW_PORT") or 8090))
    serve.set_defaults(run=cmd_serve)

    for name, run in (("create-user", cmd_create_user), ("set-password", cmd_set_password)):
        command = commands.add_parser(name, help=f"{name.replace('-', ' ')} for a staff account")
        command.add_argument("username")
        command.add_argument(
            "--password-stdin", action="store_true", help="read the password from the first line of stdin"
        )
        if name == "create-user":
            command.add_argument("--admin", action="store_true", help="may delete conversations and read the audit log")
        command.set_defaults(run=run)

    commands.add_parser("users", help="list the staff accounts").set_defaults(run=cmd_users)
    delete_user = commands.add_parser("delete-user", help="remove a staff account")
    delete_user.add_argument("username")
    delete_user.set_defaults(run=cmd_delete_user)

    listing = commands.add_parser("list", help="list conversations")
    _add_filter_options(listing)
    listing.add_argument("--limit", type=int, default=25)
    listing.add_argument("--page", type=int, default=1)
    listing.set_defaults(run=cmd_list)

    show = commands.add_parser("show", help="show one transcript")
    show.add_argument("conversation_id")
    show.set_defaults(run=cmd_show)

    export = commands.add_parser("export", help="export conversations (CSV or JSON)")
    _add_filter_options(export)
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--output", "-o", help="file to write (default: stdout)")
    export.set_defaults(run=cmd_export)

    nlu = commands.add_parser("export-nlu", help="corrections as Rasa NLU YAML")
    nlu.add_argument("--output", "-o")
    nlu.set_defaults(run=cmd_export_nlu)

    retention = commands.add_parser("retention", help="delete conversations past retention")
    retention.add_argument("--days", type=int, help="default: REVIEW_RETENTION_DAYS or 365")
    retention.set_defaults(run=cmd_retention)

    delete = commands.add_parser("delete", help="delete a patient's conversations")
    delete.add_argument("conversation_id", nargs="*", default=[])
    delete.add_argument(
        "--search", help="also every conversation containing these words (e.g. the patient's phone number)"
    )
    delete.add_argument("--yes", action="store_true", help="don't ask for confirmation")
    delete.set_defaults(run=cmd_delete)

    log = commands.add_parser("audit", help="latest audit log entries")
    log.add_argument("--limit", type=int, default=50)
    log.set_defaults(run=cmd_audit)
    return root


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (auth.AccountError, ValueError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
