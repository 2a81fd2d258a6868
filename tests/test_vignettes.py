"""A representative subset of the triage vignettes (tests/vignettes/knee_vignettes.yml)
through the real trained assistant and action server: the opening message, then the
vignette's typed answers to whatever the assistant asks, must end at the gold level.
The whole suite with its accuracy numbers is `make vignettes`."""

import pytest

from clinic import vignettes

# Spread over the five levels and the tricky cases: injuries, circulation, infection,
# surgery, children, a question together with a real symptom, settled episodes, history,
# negations and hypotheticals. Chosen before the assistant's results were seen.
# Known misses (measured 2026-11-30, model knee-4ae7bd959d0eb4cb): the understanding, not
# the rule, loses them. Kept visible here until fixed, not dropped. v063 and v082 pass since
# 2026-12-01 (model knee-6c20b12888ecf3ee: own-pain rules match whatever else is named), v096
# since 2026-12-08 (a when-to-see-a-physio question with pain told without naming the knee).
KNOWN_MISS: dict = {}
SUBSET = [
    "v004",
    "v006",
    "v011",
    "v013",  # emergency
    "v018",
    "v027",
    "v032",
    "v039",  # same day
    "v043",
    "v045",  # soon
    "v056",
    "v063",
    "v070",  # physio
    "v077",
    "v082",
    "v096",
]  # self-care
CASES = {case["id"]: case for case in vignettes.load() if case["id"] in SUBSET}


@pytest.mark.parametrize(
    "vignette_id",
    [
        pytest.param(v, marks=pytest.mark.xfail(reason=KNOWN_MISS[v], strict=False)) if v in KNOWN_MISS else v
        for v in SUBSET
    ],
)
def test_vignette_ends_at_its_gold_level(vignette_id, new_conversation):
    case = CASES[vignette_id]
    conversation = new_conversation()

    result = vignettes.drive(case, conversation.say, lambda: vignettes.tracker_state(conversation.tracker()))
    assert result.level == case["level"], (case["opening"], result.turns)
