"""Red flags in the ways runners really type them (issue #12): for every red-flag category
of the contract and docs/safety.md, new phrasings (slang, typos, texting, learners'
English, UK/US words) that the deterministic check (clinic/safety.py) must find, and
controls (denied, settled history, hypothetical, a question about the symptom) on which it
must stay quiet.

Written for this file before the patterns were widened, in our own words (not taken from
any held-out, vignette or training file). A row is (text, accepted flag names, emergency):
the check must find one of the accepted flags; `emergency` True/False is asserted when it
is given (None: either level is right).
"""

import pytest

from clinic.safety import assess, detect_red_flags

LOCK = ("locking",)
GIVE = ("giving_way",)
WEIGHT = ("cannot_bear_weight",)
SWELLING = ("rapid_swelling", "pop_with_swelling")
DEFORM = ("deformity",)
INFECT = ("infection_signs",)
CLOT = ("dvt_signs",)
NERVE = ("numbness",)
BLOOD = ("circulation",)
OP = ("after_procedure",)
NIGHT = ("night_pain_unwell",)
CHILD = ("child_hip_limp",)

CATEGORIES = {
    "locking": (
        [
            ("knee locked mid stride and wouldnt unlock for like 5 mins", LOCK, False),
            ("my knee gets jammed and i have to wiggle it to free it", LOCK, False),
            ("it catches and then stays stuck till i shake it loose", LOCK, False),
            ("the knee keeps locking up when i get out of the car", LOCK, False),
            ("it gets stuck in a bent position", LOCK, False),
            ("knee locks, have to bang it to unlock it", LOCK, False),
            ("knee lockin up again ugh", LOCK, False),
            ("my knee is blocked, I cannot move it to straight", LOCK, False),
            ("Knee locked solid on the stairs this morning", LOCK, False),
            ("my knee keeps seizing up and getting stuck", LOCK, False),
            ("knee keeps lockng when i squat down", LOCK, False),
        ],
        [
            "my knee has never locked",
            "does a knee locking mean a torn meniscus?",
            "what if my knee locks during the race?",
            "it locked once in 2015 after a football game, fine ever since",
            "no locking at all, just a dull ache",
            "I locked my keys in the car after parkrun, lol",
        ],
    ),
    "cannot_straighten": (
        [
            ("cant straighten my leg", LOCK, False),
            ("knee won't go straight since this morning", LOCK, False),
            ("i can't fully extend the knee", LOCK, False),
            ("leg stuck at like 20 degrees bent", LOCK, False),
            ("unable to straighten knee properly", LOCK, False),
            ("it wont straighten all the way", LOCK, False),
            ("cant get it straight, stuck bent", LOCK, False),
            ("my knee is bent and I can't make it straight", LOCK, False),
            ("knee is stuck half bent", LOCK, False),
            ("can not straighten the leg fully since yesterday", LOCK, False),
            ("i cant get my knee to straighten out", LOCK, False),
        ],
        [
            "I can straighten it fine, it just aches at the front",
            "no trouble straightening or bending it",
            "what does it mean if you can't straighten your knee?",
            "what happens if someone can't straighten their knee after surgery?",
            "it never stays bent or stuck, it's just sore",
        ],
    ),
    "giving_way": (
        [
            ("knee just gives on me going down hills", GIVE, None),
            ("my knee keeps going from under me", GIVE, None),
            ("leg went out from under me on the stairs", GIVE, None),
            ("my knee feels like it's about to give way every time I turn", GIVE, None),
            ("the knee keeps buckling under me", GIVE, None),
            ("my knee gave in on me stepping off a curb", GIVE, None),
            ("knee keeps folding under me when i land", GIVE, None),
            ("i dont trust my knee anymore, it gives way randomly", GIVE, None),
            ("my knee collapsed under me at mile 6", GIVE, None),
            ("knee gives out when I pivot", GIVE, None),
            ("Knee is giving way when I go downstairs", GIVE, None),
            ("my knee caved and i went down", GIVE, None),
        ],
        [
            "my knee has never given way",
            "can a knee giving way mean an ACL tear?",
            "my knee gave way years ago skiing but it's been solid since",
            "i always give way to cyclists on the towpath",
            "what should I do if my knee buckles on a run?",
            "no giving way or instability, just a bit sore",
        ],
    ),
    "cannot_bear_weight": (
        [
            ("cant stand on my right leg at all", WEIGHT, None),
            ("i literally can't walk, have to hop everywhere", WEIGHT, None),
            ("unable to stand on the leg since i fell", WEIGHT, True),
            ("can't put my foot on the ground without screaming", WEIGHT, None),
            ("i cant take a single step on it", WEIGHT, None),
            ("need crutches to get around, can't weight bear", WEIGHT, None),
            ("had to hop home, couldnt put any weight through the leg", WEIGHT, None),
            ("it wont hold me up", WEIGHT, None),
            ("I'm not able to walk with this leg", WEIGHT, None),
            ("cant even limp, its too painful to stand on", WEIGHT, None),
            ("i can barely put weight on it", WEIGHT, None),
            ("fell off the kerb and now i cant stand on it", WEIGHT, True),
        ],
        [
            "I can put weight on it fine, it just aches",
            "I can't walk down hills without some pain",
            "what if I can't bear weight after a fall?",
            "last year I couldn't walk for a week after a sprain, all good now",
            "can't walk far before it starts aching",
            "no problem standing or walking on it",
        ],
    ),
    "swelling_after_injury": (
        [
            ("twisted it on a tree root and it blew up within the hour", SWELLING, False),
            ("landed awkwardly off a jump and the knee swelled right up", SWELLING, False),
            ("rolled my knee at football and now it looks like a melon", SWELLING, False),
            ("collided with another player and my knee is massive now", SWELLING, False),
            ("went over on it and it's puffed up like crazy", SWELLING, False),
            ("my knee went pop and it's swollen up loads", SWELLING, False),
            ("huge swelling after I fell on the trail", SWELLING, False),
            ("the knee filled up with fluid straight after the fall", SWELLING, False),
            ("knee ballooned after i slipped on the wet grass", SWELLING, False),
            ("my knee doubled in size after the tackle", SWELLING, False),
            ("crashed my bike, knee swelling big time", SWELLING, False),
            ("after the twist it got really swollen really quick", SWELLING, False),
        ],
        [
            "a bit of puffiness after long runs, no injury",
            "no swelling after the fall, just a bruise",
            "how fast should swelling go down after a knee sprain?",
            "the swelling went down quickly after I iced it",
            "what if my knee swells up after the race?",
            "I twisted my knee in 2016 and it swelled up, fine since",
        ],
    ),
    "deformity": (
        [
            ("kneecap moved to the outside of my leg", DEFORM, True),
            ("my knee cap is on the side of my knee", DEFORM, True),
            ("my knee looks wonky, like its not in the right place", DEFORM, True),
            ("knee looks all bent and wrong after the fall", DEFORM, True),
            ("kneecap shifted out and popped back in", DEFORM, True),
            ("my knee looks disfigured", DEFORM, True),
            ("i think my knee is dislocated", DEFORM, True),
            ("leg is bent at a funny angle below my knee", DEFORM, True),
            ("my kneecap is sitting way over to the side", DEFORM, True),
            ("knee cap slid out of its groove", DEFORM, True),
            ("my patella came out of place when i turned", DEFORM, True),
        ],
        [
            "I dislocated my knee cap as a teenager, no problems since",
            "what does a dislocated kneecap look like?",
            "no deformity, it just hurts",
            "my physio said it's not dislocated",
            "what if my kneecap pops out during a race?",
            "my kneecap sits a bit high, my physio says that's normal",
        ],
    ),
    "hot_knee_with_fever": (
        [
            ("knee is red and hot and i've been shivering all night", INFECT, True),
            ("my knee is boiling hot and swollen and I've got a temperature", INFECT, True),
            ("feverish, knee puffy and red", INFECT, True),
            ("knee swollen hot and i have chills", INFECT, True),
            ("running a temp of 39 and my knee is red and puffy", INFECT, True),
            ("i feel awful, shaky and hot, and my knee is swollen and angry looking", INFECT, True),
            ("knee is hot n swollen n i got a fever", INFECT, True),
            ("I have high temperature and my knee is red and swelling", INFECT, True),
            ("my kid has a fever and his knee is all red and swollen", INFECT, True),
            ("hot red knee, been having sweats and shivers", INFECT, True),
            ("flu-like and my knee has gone red and swollen", INFECT, True),
        ],
        [
            "my knee feels warm after a run, no fever",
            "had a fever last week, knee is fine",
            "does a hot swollen knee mean an infection?",
            "no fever, no redness, just sore",
            "hay fever is killing me but the knee is ok",
            "what if my knee gets red and hot?",
        ],
    ),
    "calf_clot": (
        [
            ("my calf has swollen up and it's warm, not from running", CLOT, None),
            ("one leg is way more swollen than the other below the knee", CLOT, None),
            ("calf is red and tender to touch and puffy", CLOT, None),
            ("back of my calf is hot and swollen after the long flight", CLOT, None),
            ("calf swelling and pain since my knee op", CLOT + OP, None),
            ("my lower leg has gone all puffy and sore", CLOT, None),
            ("the calf on my bad leg is bigger than the other", CLOT, None),
            ("calf feels tight and swollen, and its hot", CLOT, None),
            ("swelling in my calf that wont go down", CLOT, None),
            ("my calf is swollen and I'm breathless walking upstairs", CLOT, True),
            ("sharp chest pain when i breathe in and my calf is swollen", CLOT, True),
            ("short of breath and my leg is swollen since the op", CLOT, True),
        ],
        [
            "calves tight after hills",
            "no calf swelling, just tight",
            "is a swollen calf a sign of a clot?",
            "my calf was swollen years ago after a bad tear, all fine now",
            "out of breath after sprint intervals",
            "sore calves from the new shoes",
        ],
    ),
    "numb_foot": (
        [
            ("my foot went all tingly and numb after i hurt my knee", NERVE, True),
            ("toes feel numb since the tackle", NERVE, True),
            ("cant feel my foot properly", NERVE, None),
            ("bottom of my foot is numb", NERVE, None),
            ("my foot is asleep and wont wake up", NERVE, None),
            ("pins and needels down my shin", NERVE, None),
            ("foot flops when i walk, cant pull my toes up", NERVE, None),
            ("numb patch on the outside of my leg below the knee", NERVE, None),
            ("my foot has no feeling since the fall", NERVE, True),
            ("got a dead feeling foot and tingles in my toes", NERVE, None),
            ("my foot is slapping the ground and i can't lift it", NERVE, None),
        ],
        [
            "I ice it till it goes numb",
            "no numbness or tingling in my foot",
            "what if my foot goes numb on a long run?",
            "had pins and needles years ago from a slipped disc, gone now",
            "does numbness in the foot mean a nerve problem?",
            "my toes tingle a bit when my laces are too tight",
        ],
    ),
    "cold_pale_blue_foot": (
        [
            ("my foot is freezing cold and white since i fell", BLOOD, True),
            ("toes have turned purple and cold", BLOOD, True),
            ("my foot looks grey and feels icy", BLOOD, True),
            ("the foot on my bad side is really pale compared to the other one", BLOOD, True),
            ("after the crash my foot went a weird blue colour", BLOOD, True),
            ("my lower leg is blotchy and cold to touch", BLOOD, True),
            ("toes gone white n cold after the accident", BLOOD, True),
            ("my foot has lost its colour and feels cold", BLOOD, True),
            ("foot is really pale and i cant feel a pulse", BLOOD, True),
            ("my leg below the knee has gone a bluish colour", BLOOD, True),
        ],
        [
            "my toes get cold in winter",
            "my feet go white in cold weather",
            "what if my foot turns blue?",
            "no colour change in my foot, it's warm",
            "why do my toes go purple in an ice bath?",
            "is a cold pale foot serious?",
        ],
    ),
    "after_surgery_or_injection": (
        [
            ("had my acl reconstruction 10 days ago and the wound is leaking", OP, False),
            ("2 weeks post op and my knee is really hot and swollen", OP + INFECT, None),
            ("had a steroid injection on monday, now my knee is red and hot", OP + INFECT, None),
            ("since the keyhole surgery last week my calf is sore and swollen", OP + CLOT, None),
            ("the stitches from my knee op are red and angry", OP, False),
            ("had my knee scoped on tuesday and now i have a temperature", OP + INFECT, None),
            ("my knee op scar smells and is oozing yellow stuff", OP + INFECT, None),
            ("got a cortisone shot friday, now the knee is puffy and hot", OP + INFECT, None),
            ("wound from my meniscus repair has opened up", OP, False),
            ("my incision is weeping a week after surgery", OP, False),
            ("after my PRP injection three days ago the knee is swollen and burning", OP + INFECT, None),
        ],
        [
            "had knee surgery 3 years ago and it went great",
            "had a cortisone injection 6 months ago, should I get another?",
            "had an op last month, healing fine, no redness or swelling",
            "what should a knee op scar look like after 2 weeks?",
            "I'm having an arthroscopy next month",
            "no problems with the wound since the op",
        ],
    ),
    "night_pain_weight_loss": (
        [
            ("knee aches all night and i've dropped 6 kilos without trying", NIGHT, False),
            ("pain wakes me up at night and I've lost loads of weight", NIGHT, False),
            ("knee hurts when I'm lying in bed and I'm sweating buckets at night", NIGHT, False),
            ("constant knee pain even at rest, and i've lost my appetite and weight", NIGHT, False),
            ("knee keeps me awake and ive been feeling really run down and losing weight", NIGHT, False),
            ("night time knee pain plus i've lost half a stone this month not on purpose", NIGHT, False),
            ("the ache is there at rest too, and I've been waking up soaked in sweat", NIGHT, False),
            ("knee pain at night, lost 5kg, feel tired all the time", NIGHT, False),
            ("I have pain in the knee in the night and I lose weight", NIGHT, False),
            ("pain in the knee at night, off my food and lost weight", NIGHT, False),
        ],
        [
            "knee aches at night after long runs, otherwise I feel fine",
            "trying to lose weight by running, knee sore at night",
            "I've lost 3kg since I started marathon training, knee is fine",
            "does knee pain at night mean something serious?",
            "no night sweats, no weight loss, just sore after runs",
            "lost weight on purpose and my knee feels better",
        ],
    ),
    "limping_child": (
        [
            ("my 12 yr old has a limp and says his knee hurts", CHILD, False),
            ("daughter (13) complaining of knee and hip pain, limping after school", CHILD, False),
            ("my boy is 9 and he's hobbling around with a sore knee", CHILD, False),
            ("teenage son has groin pain and a sore knee", CHILD, False),
            ("my kid keeps limping, he says it's his knee", CHILD, False),
            ("im 14 and my thigh and knee ache, i've started limping", CHILD, False),
            ("my 11 year old girl is walking with a limp since the weekend", CHILD, False),
            ("My daughter is 10 years and she limps because her knee is hurting", CHILD, False),
            ("my lad's 13, been limping for a week, knee and hip sore", CHILD, False),
            ("my stepdaughter is limping after netball, she's 12", CHILD, False),
        ],
        [
            "my son is 12 and his knee hurts after football, no limp",
            "my 14 year old runs cross country, how much should she train?",
            "why do teenagers get knee pain?",
            "my daughter's knee is sore but she walks normally and her hips are fine",
            "I limped as a kid after breaking my leg",
            "I'm 45 and I have a slight limp after my long run",
        ],
    ),
}

POSITIVE = [(category, *row) for category, (rows, _) in CATEGORIES.items() for row in rows]
CONTROLS = [(category, text) for category, (_, texts) in CATEGORIES.items() for text in texts]


def test_every_category_has_ten_phrasings_and_five_controls():
    for category, (rows, controls) in CATEGORIES.items():
        assert len(rows) >= 10 and len(controls) >= 5, category


@pytest.mark.parametrize("category,text,accepted,emergency", POSITIVE, ids=[row[1][:60] for row in POSITIVE])
def test_a_new_phrasing_is_found(category, text, accepted, emergency):
    found = assess(text)
    names = [flag.name for flag in found.flags]
    assert set(names) & set(accepted), f"{category}: none of {accepted} in {text!r}: {found.flags}"
    if emergency is not None:
        assert found.emergency == emergency, f"{category}: emergency should be {emergency}: {found.flags}"


@pytest.mark.parametrize("category,text", CONTROLS, ids=[row[1][:60] for row in CONTROLS])
def test_a_control_stays_quiet(category, text):
    assert detect_red_flags(text) == [], category
