"""`make run` keeps the terminal for what a person needs (what started, the addresses, errors):
the Python warnings its services print on stderr — deprecations deep inside Rasa's
dependencies (pkg_resources, pyparsing, click, jax, distutils...) that nobody running the
assistant can act on — go to var/log/warnings.log instead. Everything else passes through."""

import re
import threading
from typing import IO, Iterable, Iterator, Tuple

# How `warnings.formatwarning` writes one: "path:line: SomeWarning: message", the message's
# further lines, then the offending source line indented by two spaces.
WARNING_START = re.compile(r"^\S.*:\d+: \w*Warning: ")
SOURCE_LINE = "  "
# Lines that are never part of a warning, should a warning come without its source line.
NOT_A_WARNING = re.compile(r"^(\d{4}-\d\d-\d\d |Traceback )")


def split_warnings(lines: Iterable[str]) -> Iterator[Tuple[bool, str]]:
    """Each line, with whether it belongs to a Python warning."""
    in_warning = False
    for line in lines:
        if WARNING_START.match(line):
            in_warning = True
        elif NOT_A_WARNING.match(line):
            in_warning = False
        yield in_warning, line
        if in_warning and line.startswith(SOURCE_LINE):
            in_warning = False


def divert_warnings(stream: IO[str], terminal: IO[str], log: IO[str], lock: threading.Lock) -> threading.Thread:
    """Copy a child's stderr `stream` to `terminal`, its warnings to `log` (shared by every
    service, hence the lock), in a thread that ends with the stream."""

    def copy() -> None:
        for is_warning, line in split_warnings(stream):
            with lock:
                out = log if is_warning else terminal
                out.write(line)
                out.flush()

    thread = threading.Thread(target=copy, daemon=True)
    thread.start()
    return thread
