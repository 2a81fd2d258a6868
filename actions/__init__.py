"""Custom actions run by the rasa-sdk action server (`rasa run actions`).

Modules are grouped by concern: session start, fallback and handoff, and more as
the assistant grows. rasa-sdk discovers every Action subclass in this package."""

from clinic.environment import load_environment

# Before any action module reads a setting (the action server imports this package first).
load_environment()
