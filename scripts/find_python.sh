#!/usr/bin/env sh
# Prints the path of a Python 3.10 interpreter, or explains how to get one.
# Rasa 3.6 supports Python 3.8-3.10 only; this project pins 3.10 (.python-version).
for candidate in "$(pyenv which python 2>/dev/null)" "$(command -v python3.10 2>/dev/null)"; do
  if [ -n "$candidate" ] && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "$candidate"
    exit 0
  fi
done
cat >&2 <<'MSG'
error: Python 3.10 was not found.
  Rasa 3.6 runs on Python 3.8-3.10 only, and this project is pinned to 3.10.
  Install it with pyenv (`pyenv install 3.10.13`; the repo's .python-version selects it),
  or your system's package manager, so that `python3.10` is on your PATH. Then run make again.
MSG
exit 1
