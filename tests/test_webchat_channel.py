"""Which web pages may connect to the chat and call the server from a browser
(channels/settings.py); the refusal itself is checked against the real server in
test_webchat.py."""

import pytest

from channels.settings import allowed_origins


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    monkeypatch.delenv("ALLOWED_ORIGINS", raising=False)
    monkeypatch.delenv("WEBCHAT_PORT", raising=False)


def test_without_configuration_only_the_demo_page_may_connect(monkeypatch):
    assert allowed_origins() == ["http://localhost:8080", "http://127.0.0.1:8080"]
    monkeypatch.setenv("WEBCHAT_PORT", "9000")
    assert allowed_origins() == ["http://localhost:9000", "http://127.0.0.1:9000"]


@pytest.mark.parametrize(
    "setting",
    [
        "https://clinic.example.com https://www.clinic.example.com",
        "https://clinic.example.com,https://www.clinic.example.com/",
        " https://clinic.example.com , https://www.clinic.example.com ",
    ],
)
def test_the_clinic_lists_its_sites_separated_by_spaces_or_commas(monkeypatch, setting):
    monkeypatch.setenv("ALLOWED_ORIGINS", setting)
    assert allowed_origins() == ["https://clinic.example.com", "https://www.clinic.example.com"]


def test_a_star_is_refused_with_what_to_write_instead(monkeypatch):
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://clinic.example.com *")
    with pytest.raises(ValueError, match="list the clinic's own pages"):
        allowed_origins()
