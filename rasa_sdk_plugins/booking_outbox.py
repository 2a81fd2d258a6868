"""Run the booking outbox drain as a background task of the action server."""

import logging

from sanic import Sanic

from rasa_sdk_plugins import hookimpl

logger = logging.getLogger(__name__)


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    @app.after_server_start
    async def start_outbox_drain(app, _loop):
        from clinic.delivery import drain_forever
        from clinic.delivery.settings import booking_settings

        # Say it at start-up, not in the middle of someone's booking.
        try:
            logger.info("Booking requests are delivered by: %s", booking_settings().delivery)
        except ValueError as error:
            logger.error("The booking section of the clinic file is wrong: %s", error)
        logger.info("Booking outbox: background delivery started")
        app.add_task(drain_forever())
