import signal
import sys

from clinic.environment import load_environment

load_environment()  # before review.cli: its modules may read settings when imported

from review.cli import main  # noqa: E402

# `python -m review list | head` should just stop, not print a BrokenPipeError.
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
sys.exit(main())
