import signal
import sys

from review.cli import main

# `python -m review list | head` should just stop, not print a BrokenPipeError.
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
sys.exit(main())
