"""Extensions of the action server, found by rasa-sdk's plugin hook
(rasa_sdk.plugin imports a top-level `rasa_sdk_plugins` package and calls `init_hooks`).

The project uses it for one thing: draining the booking outbox in the background while
the action server runs (see clinic/delivery)."""

import pluggy

hookimpl = pluggy.HookimplMarker("rasa_sdk")


def init_hooks(manager: pluggy.PluginManager) -> None:
    from rasa_sdk_plugins import booking_outbox

    manager.register(booking_outbox)
