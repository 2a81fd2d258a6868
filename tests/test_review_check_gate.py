"""The side-by-side check refuses a candidate whose triage vignettes get worse (the vignette
runs themselves are replaced by their summaries here; tests/test_review_loop.py drives the
rest of the check through real models)."""

from pathlib import Path

import pytest

from review import model_check

LIVE = {"n": 97, "exact": 0.969, "safe": 0.979, "under_triage_urgent": 0, "urgent_n": 42, "no_recommendation": 2}


@pytest.fixture
def summaries(monkeypatch):
    by_model = {}
    monkeypatch.setenv("REVIEW_CHECK_VIGNETTES", "1")
    monkeypatch.setattr(model_check, "_vignette_summary", lambda model, cache_dir: by_model[model.name])
    return by_model


@pytest.mark.parametrize(
    "candidate, refused",
    [
        (dict(LIVE), False),
        (dict(LIVE, exact=0.99, safe=0.99, no_recommendation=1), False),
        (dict(LIVE, safe=0.969), True),
        (dict(LIVE, under_triage_urgent=1), True),
    ],
)
def test_a_candidate_is_refused_when_fewer_vignettes_end_safely(summaries, candidate, refused):
    summaries["live.tar.gz"], summaries["new.tar.gz"] = LIVE, candidate
    found = model_check._vignettes(Path("new.tar.gz"), Path("live.tar.gz"), None)
    assert ("worse" in found) is refused
    assert found["live"]["safe"] == LIVE["safe"] and found["new"]["safe"] == candidate["safe"]


def test_the_vignettes_can_be_left_out(summaries, monkeypatch):
    monkeypatch.setenv("REVIEW_CHECK_VIGNETTES", "0")
    assert model_check._vignettes(Path("new.tar.gz"), Path("live.tar.gz"), None) is None
