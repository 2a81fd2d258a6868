"""Email a booking request to the clinic's inbox over SMTP."""

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from typing import Dict

from clinic.delivery.settings import EmailSettings
from clinic.delivery.webhook import DeliveryError

KIND_TITLES = {
    "booking": "New booking request",
    "change": "Request to move an appointment",
    "cancel": "Request to cancel an appointment",
    "human": "Please contact this person",
}


def compose(settings: EmailSettings, request: Dict, clinic_name: str) -> EmailMessage:
    title = KIND_TITLES.get(request["kind"], "Request")
    message = EmailMessage()
    message["Subject"] = f"{title} #{request['id']}: {request.get('name') or 'no name given'}"
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.to)
    if "@" in (request.get("contact") or ""):
        message["Reply-To"] = request["contact"]
    lines = [
        f"{title}, left with the {clinic_name} assistant.",
        "",
        f"Name:            {request.get('name') or '-'}",
        f"Contact:         {request.get('contact') or '-'}",
        f"Preferred time:  {request.get('preferred_time') or '-'}",
        f"Reason / words:  {request.get('reason') or '-'}",
        "",
        f"Request number:  {request['id']} (status: {request['status']})",
        f"Received:        {request['created_at']}",
        f"Conversation:    {request['conversation_id']} ({request.get('channel') or 'unknown channel'})",
        "",
        "The patient agreed to their contact details being stored to handle this request.",
    ]
    message.set_content("\n".join(lines))
    return message


def _send_blocking(settings: EmailSettings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_seconds) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username and settings.password:
            smtp.login(settings.username, settings.password)
        smtp.send_message(message)


async def send(settings: EmailSettings, request: Dict, clinic_name: str) -> None:
    message = compose(settings, request, clinic_name)
    try:
        await asyncio.to_thread(_send_blocking, settings, message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(
            f"{type(error).__name__} sending email via {settings.host}:{settings.port}: {error}"
        ) from error
