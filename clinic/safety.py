"""The deterministic red-flag check: does a message report a knee symptom that needs
urgent care, in any wording we can foresee?

The intent classifier learns from examples and can miss a red flag buried in a long
message or phrased in a new way; a missed red flag is the one mistake this assistant must
not make. So every user message also goes through this check, in the Rasa server
(components/red_flags.py forces the `report_red_flag` intent) and in the action server
(actions/safety.py tailors the advice to what was found).

How it works:
1. `SIGNS`: regular expressions for each red flag, written to tolerate typos and UK/US
   wording ("cant put weight on it", "buckles", "pins and needles", "swelled up like a
   balloon"). `unless` drops false friends ("iced it until it went numb", "out of breath
   on my hill reps"), `unless_near` small qualifiers ("a bit swollen").
2. Negation: a phrase preceded by "no", "not", "never", "without", "doesn't"... in the
   same clause is negated ("no swelling", "it doesn't lock"). The scope ends at "but", a
   full stop, a new subject ("no pain and it locks" is a red flag) or a comma that does not
   continue an "or" list ("no swelling, locking or giving way" negates all three).
3. Combinations that only matter together (a fall or twist with swelling; a fever with a
   hot, red or swollen knee), and which findings need the emergency department now rather
   than care the same day.

To extend it, add a `Sign` (or an alternative to a building block such as SWELL) and add
the phrasing to the tables in tests/test_safety_detection.py; see docs/safety.md.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Dict, List, Optional, Pattern, Tuple

from clinic.text.negation import is_negated as _is_negated

# Every red flag the contract names, most serious first (the advice follows this order).
FLAG_NAMES = (
    "deformity",
    "circulation",
    "dvt_signs",
    "infection_signs",
    "cannot_bear_weight",
    "after_procedure",
    "child_hip_limp",
    "pop_with_swelling",
    "rapid_swelling",
    "locking",
    "giving_way",
    "numbness",
    "night_pain_unwell",
)


@dataclass(frozen=True)
class RedFlag:
    """One red flag found in a message."""

    name: str  # one of FLAG_NAMES
    sign: str  # which finding, e.g. "calf" or "breathless" for dvt_signs
    phrase: str  # the words that matched, as the user wrote them
    start: int
    end: int
    emergency: bool = False  # emergency department / emergency number now, not just today
    # Locking or giving way that comes and goes and has settled, without a new injury and
    # not stuck now: see a GP or physio within days rather than today (clinic.disposition).
    settled: bool = False


@dataclass(frozen=True)
class Mention:
    """A matched phrase of a red flag (or of context such as a fall), negated or not."""

    name: str
    sign: str
    start: int
    end: int
    negated: bool = False
    asked: bool = False  # in a question or hypothetical ("what does locking mean?")


@dataclass
class Assessment:
    flags: List[RedFlag] = field(default_factory=list)
    # Red-flag phrases that the user negated ("no swelling", "it doesn't lock").
    negated: List[Mention] = field(default_factory=list)
    # Signs of red flags that the user ruled out ("no swelling", "calves aren't hot or red").
    denied_signs: List[str] = field(default_factory=list)

    @property
    def emergency(self) -> bool:
        return any(flag.emergency for flag in self.flags)

    @property
    def asked_about(self) -> List[str]:
        """Red flags the message asks about rather than reports, most serious first."""
        names = {m.name for m in self.negated if m.asked}
        return [name for name in FLAG_NAMES if name in names]


# --- building blocks ------------------------------------------------------------------------
# Patterns see lower-cased text with straight quotes.

_WORD = r"[a-z0-9']+"


def _gap(max_words: int) -> str:
    """Up to `max_words` words between two parts of a phrase, without leaving the clause or
    passing a negation ("calves aren't swollen"). A first part may end in "'s" ("kneecap's
    popped out" = "kneecap is/has popped out")."""
    no = r"(?:but|however|though|although|except|not|never|no|\w+n't)"
    return rf"(?:'s)?(?:\s+(?!{no}\b){_WORD}){{0,{max_words}}}?\s+"


CANT = (
    r"(?:(?:have|has|had)(?:n'?t|\s+not)\s+been\s+able\s+to|(?:was|were|is|am|are)(?:n'?t|\s+not)"
    r"\s+able\s+to|not\s+able\s+to|unable\s+to|can'?t|cannot|can\s+not|carn'?t|couldn'?t"
    r"|could\s+not|cnt)"
)
BARELY = r"(?:(?:can|could)\s+(?:barely|hardly|only\s+just|just\s+about|scarcely))"
WONT = r"(?:won'?t|will\s+not|doesn'?t|does\s+not|wouldn'?t|would\s+not)"
KNEE = r"(?:knees?|kneee|kne|knie|legs?|it)"
KNEECAP = r"(?:knee[\s-]?caps?|patellas?)"
SWELL = (
    r"(?:sw(?:e|ee|o)l+(?:ing|ign|in|ed|en|on|s|d)?|swole|puff(?:ed|y|iness)(?:\s+up)?|ballooned"
    r"|bloated|effusion|fill(?:ed|s|ing)?\s+(?:up\s+)?with\s+(?:fluid|water)|water\s+on\s+(?:the|my)\s+knee)"
)
BIG_BEFORE = (
    r"(?:huge(?:ly)?|massive(?:ly)?|enormous(?:ly)?|big|large|very|really|realy|rly|so|extremely"
    r"|badly|severe(?:ly)?|super|seriously|incredibly|insanely|majorly|terribly|hella|mega|proper"
    r"|(?:a\s+)?lot\s+of|lots\s+of|loads\s+of|tons\s+of)"
)
BIG_AFTER = r"(?:massively|hugely|enormously|a\s+lot|loads|badly|really\s+badly|like\s+crazy|big\s+time)"
FAST = (
    r"(?:fast|quick(?:ly)?|rapid(?:ly)?|sudden(?:ly)?|straight\s?away|right\s+away|immediately"
    r"|instantly|at\s+once|all\s+of\s+a\s+sudden|out\s+of\s+nowhere|in\s+(?:minutes|seconds|no\s+time)"
    r"|within\s+(?:minutes|seconds|the\s+hour|(?:an|the|half\s+an|a\s+couple\s+of|a\s+few|\d+|one|two"
    r"|three)\s+(?:minutes?|mins?|hours?|hrs?)))"
)
SIZE_LIKE = (
    r"(?:(?:like|(?:the\s+)?size\s+of)\s+an?\s+(?:balloon|grapefruit|melon|orange|football|tennis\s+ball"
    r"|golf\s+ball)"
    r"|(?:twice|double|two\s+times)\s+(?:the|its|it's)\s+(?:normal\s+|usual\s+)?size|doubled\s+in\s+size"
    r"|(?:much\s+|way\s+|a\s+lot\s+)?(?:bigger|larger|fatter)\s+than\s+(?:the\s+other|my\s+other|normal"
    r"|usual)|can'?t\s+see\s+(?:my\s+|the\s+)?(?:knee\s?cap|kneecap|bones?))"
)
SMALL = r"\b(?:a\s+(?:bit|little|tad|touch)|abit|bit|slight\w*|mild\w*|little|tiny|minor|small|some)\b"
SWELLING_GOING = r"\b(?:gone|going|went|goes|come|came|coming)\s+down\b|reduc|settl|subsid|disappear"
CALF = r"(?:calf|calves|calfs|claf)"
INJURY = (
    r"(?:fell(?!\s+(?:runners?|races?|racing))|fallen|falling\s+(?:off|over|down|from|on)|had\s+a\s+fall"
    r"|took\s+a\s+(?:fall|tumble)|tripped|slipped|landed\s+(?:badly"
    r"|awkwardly|hard|wrong|on)|went\s+flying|came\s+off|crashed|collided|collision|twisted"
    r"|knocked\s+(?:off|over|down)|(?:was|got)\s+(?:kicked|tackled|hit)|went\s+over\s+on|popped|snapped"
    r"|hyper-?extended|over-?extended|bent\s+backwards"
    r"|went\s+down\s+hard"
    r"|(?:after|since|in)\s+(?:the|my|a|that|this)\s+(?:\w+\s+)?(?:fall|crash|accident|collision|tackle|injury|tumble)"
    r"|(?:hurt|injured|damaged|bashed|banged|whacked|smashed|jarred)\s+(?:my|his|her|the)\s+(?:\w+\s+)?knee)"
)
FEVER = (
    r"(?:fever\w*|temperature|high\s+temp|a\s+temp|chills|shiver\w*|the\s+shakes|rigors"
    r"|night\s+sweats|flu[- ]?like|(?:got|have|getting|coming\s+down\s+with)\s+(?:the\s+)?flu\b"
    r"(?!\s+(?:jab|shot|vacc\w*))|(?:feel|feeling|felt|am|i'm|im)\s+(?:really\s+|very\s+|quite\s+"
    r"|so\s+|generally\s+)?(?:unwell|ill|poorly|rough|awful))"
)
# A real fever or shivers (not just "feeling rough"): with a painful knee, care the same day.
TRUE_FEVER = (
    r"(?:fever\w*|feverish|(?:a|high|raised)\s+temp(?:erature)?|temp(?:erature)?\s+(?:of\s+)?(?:3[89]|4[01])"
    r"|chills|shiver\w*|the\s+shakes|shaking|rigors|hot\s+and\s+cold\s+sweats)"
)
INFLAMED = r"(?:hot|warm(?!\s*-?\s*(?:up|down|ing\s+up|ed\s+up))|red(?:dened|ness)?|inflamed|burning)"
# A sentence about another joint and not the knee ("my ankle is swollen after I twisted it").
OTHER_BODY_PART = (
    r"^(?!.*\bkne)(?=.*\b(?:ankles?|wrists?|hands?|shoulders?|elbows?|fingers?|thumbs?|toes?|face"
    r"|eyes?|lips?|neck)\b)"
)
FOOT = r"(?:foot|feet|toes?|lower\s+leg|shin|leg)"
PALE = r"(?:cold|pale|white|blue|bluey|bluish|purple|grey|gray|mottled|icy)"
# A recent operation or injection in the knee (see "after_procedure" in assess()).
PROCEDURE = (
    r"(?:surgery|operation|op|post[- ]?op|arthroscop\w*|scoped|scope|keyhole|injection|injected|jab"
    r"|cortisone|steroid|prp|hyaluronic|reconstruction|(?:knee|joint)\s+replacement|meniscus\s+repair"
    r"|(?:menisc\w*|cartilage)\s+(?:trim\w*|repair\w*|removal)|meniscectomy|tkr|tka|washout|wash[- ]out"
    r"|(?:acl|pcl|mcl|ligament)\s+(?:rebuild|rebuilt|recon\w*|graft|repair\w*|op))"
)
WOUND_PROBLEM = (
    r"(?:weep\w*|ooz\w*|leak\w*|pus|discharg\w*|smell\w*|stinks?|opened\s+up|opening\s+up|gaping"
    r"|(?:wound|scar|cut|cuts|incision|stitches)\s+(?:\w+\s+){0,3}?(?:red|hot|angry|infected|open))"
)
CHILD = (
    r"(?:son|daughter|kid|kids|child|boy|girl|lad|teen|teenager|stepson|stepdaughter|grandson"
    r"|granddaughter|(?:year|yr)\s+\d+|(?:i'?m|im|i\s+am|she'?s|he'?s|s?he\s+is|is|aged?)\s+(?:[2-9]|1[0-7])"
    r"(?!\s*(?:k|km|mins?|minutes|miles?|weeks?|days?|months?|times|%|x|kg|st)\b)"
    r"|(?:[2-9]|1[0-7])[- ]?(?:yr|year|y)s?[- ]?(?:old|o|/o))"
)
NIGHT = (
    r"(?:at\s+night|night\s*time|nights|overnight|wakes?\s+(?:me|him|her)|waking\s+(?:me|him|her)|woke\s+me"
    r"|keeps?\s+me\s+(?:up|awake)|in\s+bed|at\s+rest|when\s+(?:i'?m\s+)?resting|lying\s+(?:down|still)"
    r"|sitting\s+still|even\s+(?:when|while)\s+(?:i'?m\s+)?(?:rest\w*|sitting|lying)|all\s+night"
    r"|(?:in|during)\s+the\s+night|at\s+nite|nite\s*time)"
)
SYSTEMIC = (
    r"(?:weight\s+loss|los(?:t|ing|e)\s+(?:\w+\s+)?weight|(?:dropped|shed|lost|losing)\s+(?:\w+\s+){0,2}?\d*\s*(?:kilos?"
    r"|kg|pounds|lbs|weight|stone)|night\s+sweats|drenching|sweat(?:s|ing)?\s+at\s+night|off\s+(?:my|his|her)\s+food"
    r"|(?:no|lost\s+(?:my\s+)?)appetite|(?:feel|feeling|felt)\s+(?:really\s+|generally\s+|very\s+|quite\s+)?"
    r"(?:unwell|ill|poorly|run\s+down|rough|awful)|tired\s+all\s+the\s+time|exhausted\s+all\s+the\s+time"
    r"|sweat\w*\s+(?:\w+\s+){0,2}?(?:at\s+night|in\s+bed|overnight|in\s+my\s+sleep)"
    r"|(?:soaked|drenched|dripping|wet)\s+(?:in|with)\s+sweat|lose\s+(?:\w+\s+)?weight)"
)
RUNNING_EFFORT = (
    r"\b(?:run|runs|running|ran|jog\w*|sprint\w*|race|racing|hills?|intervals?|tempo|reps|workout"
    r"|training|pace|parkrun|marathon|exercise|gym|session|effort|miles?|km|\d+k)\b"
)


@dataclass(frozen=True)
class Sign:
    """One way of saying a red flag (or context). `unless` is searched in the sentence,
    `unless_near` in the match and the few words before it."""

    name: str
    sign: str
    pattern: Pattern
    unless: Optional[Pattern] = None
    unless_near: Optional[Pattern] = None


def _sign(name: str, sign: str, pattern: str, unless: Optional[str] = None, unless_near: Optional[str] = None) -> Sign:
    return Sign(
        name,
        sign,
        re.compile(rf"\b{pattern}\b"),
        re.compile(unless) if unless else None,
        re.compile(unless_near) if unless_near else None,
    )


SIGNS: List[Sign] = [
    # --- locking: locks, gets stuck, won't straighten
    _sign(
        "locking",
        "locks",
        r"lo(?:ck|kc)(?:s|es|ed|ing|in|ng|n)?(?!\s*-?\s*out\b)",
        unless=r"\blo(?:ck|kc)\w*\s+(?:in\s+)?(?:my|the|your|a|an|it|that|this)\s+(?:\w+\s+)?(?:door|keys?|bag|stuff|bike"
        r"|car|phone|house|locker|gate|shed|booking|slot|place|appointment|date|time|price|spot"
        r"|session)s?\b|\bpadlock|\b(?:you|they|we|staff)\s+lo(?:ck|kc)\s+up\b"
        r"|\blo(?:ck|kc)\w*\s+up\s+for\s+the\s+(?:night|day|evening|weekend)",
    ),
    _sign(
        "locking",
        "stuck",
        rf"(?:{KNEE}{_gap(3)}(?:stuck|jam(?:s|med|ming)|wedged)|stuck\s+(?:bent|straight"
        rf"|in\s+(?:a\s+)?(?:bent|straight|flexed)|half[- ]?(?:way|bent)))",
    ),
    _sign(
        "locking",
        "wont_straighten",
        rf"(?:{CANT}|{WONT}){_gap(2)}(?:fully\s+|all\s+the\s+way\s+)?(?:straighten|go\s+straight|unbend"
        rf"|(?:get|make|move|bring)\s+(?:it|my\s+leg|my\s+knee|the\s+leg|the\s+knee)\s+(?:to\s+)?(?:go\s+)?"
        rf"(?:straight|straighten)|bend\s+or\s+straighten|straighten\s+or\s+bend"
        rf"|extend\s+(?:it|my\s+leg|my\s+knee|the\s+leg|the\s+knee|fully|all\s+the\s+way))",
    ),
    # "stays stuck till I shake it", "keeps getting stuck"; a learner's "my knee is blocked".
    _sign(
        "locking",
        "stuck",
        r"(?:stays?|stayed|staying|gets?|got|getting|goes|went)\s+stuck(?!\s+(?:in\s+(?:traffic|a\s+queue"
        r"|the\s+(?:mud|snow|lift|office))|on\s+(?:a|the|my)|at\s+(?:work|home|the)|behind|with|into|doing)\b)"
        rf"|(?:knees?|kne|leg){_gap(2)}blocked",
        unless=r"\b(?:traffic|queue|mud|snow|lift|elevator|job|plateau|rut|homework|email)\b",
    ),
    # --- giving way: gives way, buckles, gives out, collapses under me
    _sign("giving_way", "gives_way", r"g(?:ive|ives|iving|iveing|ivin|iven|ave|ve)(?:\s*'?s)?[\s-]*way(?!\s+to\b)"),
    _sign("giving_way", "gives_way", rf"{KNEE}{_gap(2)}g(?:ave|ives|iving|ive)\s+away"),
    _sign("giving_way", "buckles", r"buck(?:le|les|led|ling|eled|eling)(?!\s+(?:up|my|your|the|his|her|their)\b)"),
    _sign(
        "giving_way",
        "gives_way",
        rf"(?:{KNEE}{_gap(3)}g(?:ave|ives|iving|iven|ive)\s+out|g(?:ave|ives|iving|iven|ive)\s+out\s+"
        rf"(?:on|under)\s+me)",
    ),
    _sign(
        "giving_way",
        "collapses",
        rf"(?:{KNEE}{_gap(2)}collaps(?:ed|es|ing)(?!\s+in)|collaps(?:ed|es|ing)\s+under\s+me)",
    ),
    _sign("giving_way", "gives_way", r"(?:went|goes|go|going)\s+(?:out\s+)?from\s+under(?:neath)?\s+me"),
    _sign(
        "giving_way",
        "gives_way",  # UK: "my knee went on me", "felt it go"
        r"(?:knee|it|leg)\s+(?:just\s+|sometimes\s+|kind\s+of\s+|sort\s+of\s+)?(?:went|goes|keeps\s+going|gives"
        r"|gave|keeps\s+giving)(?:\s+in)?\s+(?:on|from|under)\s+me"
        r"|g(?:ave|ives|iving|ive)\s+in\s+(?:on|under)\s+me"
        r"|fold(?:s|ed|ing)?\s+(?:up\s+)?(?:under|on|beneath)\s+me"
        r"|(?:knees?|kne|leg)\s+(?:just\s+|suddenly\s+|kind\s+of\s+)?(?:folded|caved)(?!\s+in(?:wards?)?\b)"
        r"|cav(?:ed|es|ing)(?:\s+in)?\s+(?:on|under)\s+me"
        r"|felt\s+(?:my\s+)?(?:knee|it)\s+go\b(?!\s+(?:numb|red|hot|stiff|tight|dead))",
    ),
    _sign(
        "giving_way",
        "unstable",
        rf"(?:(?:knees?|kne|knie){_gap(3)}(?:unstable|wobbly)|legs?{_gap(3)}unstable|instability"
        rf"|unstable\s+knee|(?:knee|it)\s+(?:just\s+)?went\s+sideways)",
    ),
    # --- cannot bear weight
    _sign(
        "cannot_bear_weight",
        "weight",
        rf"(?:(?:{CANT}|{BARELY}){_gap(3)}(?:put|bear|take|place|carry|hold|transfer)\s+(?:\w+\s+){{0,2}}?weight"
        rf"|{CANT}{_gap(1)}weight[- ]?bear\w*|non[- ]?weight[- ]?bearing)",
    ),
    _sign(
        "cannot_bear_weight",
        "walk",
        rf"(?:{CANT}|{BARELY})\s+"
        r"(?:even\s+|really\s+)?(?:walk|stand\s+(?:up|on)|put\s+(?:my\s+|the\s+)?(?:foot|heel|leg|toes)\s+"
        r"(?:down|on\s+the\s+(?:floor|ground))|take\s+(?:a\s+|one\s+)?(?:single\s+)?steps?)",
        unless=r"(?:walk|stand)\w*\s+(?:(?:up|down)\s*(?:the\s+)?(?:stairs|steps|hills?)|downstairs"
        r"|upstairs|stairs|far|for\s+(?:long|very\s+long|hours|more)|very\s+far|long\s+distances"
        r"|more\s+than|as\s+far|fast|quickly|without\s+(?:pain|it\s+(?:hurting|aching)|some\s+pain"
        r"|discomfort|aching))",
    ),
    _sign(
        "cannot_bear_weight",
        "weight",
        rf"(?:{WONT}|{CANT})\s+(?:take|hold|support|bear)\s+(?:my\s+|any\s+|the\s+)?(?:weight|me)",
    ),
    _sign(
        "cannot_bear_weight",
        "weight",
        r"too\s+(?:much|painful|sore)\s+(?:\w+\s+)?to\s+(?:stand|walk|put\s+(?:any\s+)?weight|bear\s+weight)",
    ),
    _sign(
        "cannot_bear_weight",
        "carried",
        r"(?:(?:had\s+to\s+be|got|was)\s+)?(?:carried|stretchered|helped)\s+(?:off|home)|had\s+to\s+be\s+carried",
    ),
    # --- fast or large swelling
    _sign(
        "rapid_swelling", "fast", rf"(?:{SWELL}(?:\s+up)?{_gap(3)}{FAST}|{FAST}{_gap(2)}{SWELL})", unless=SWELLING_GOING
    ),
    _sign(
        "rapid_swelling",
        "large",
        rf"(?:{BIG_BEFORE}(?:\s+{BIG_BEFORE})?\s+(?:\w+\s+)?{SWELL}|{SWELL}(?:\s+up)?\s+(?:\w+\s+)?{BIG_AFTER}"
        rf"|{SWELL}(?:\s+up)?{_gap(2)}{SIZE_LIKE}|(?:ballooned|blew\s+up|blown\s+up|swelled\s+up)\s+like)",
        unless=SWELLING_GOING,
        unless_near=SMALL,
    ),
    _sign("rapid_swelling", "large", rf"(?:knees?|kne|it|its|it's|legs?){_gap(4)}{SIZE_LIKE}|ballooned"),
    _sign(
        "rapid_swelling",
        "large",  # so swollen that it won't bend
        rf"{SWELL}(?:\s+up)?{_gap(4)}(?:{CANT}|{WONT})\s+(?:fully\s+|even\s+|properly\s+)?(?:bend|move)",
    ),
    _sign("rapid_swelling", "large", r"(?:knee|kne|it|leg)\s+(?:has\s+|had\s+|just\s+)?(?:blew|blown)\s+up"),
    _sign(
        "rapid_swelling",
        "large",
        r"(?:knees?|kne|it|its|legs?)(?:'s|\s+(?:is|was|are|looks|went|has\s+gone|got|now|'s))\s+"
        r"(?:\w+\s+)?(?:huge|massive|enormous|gigantic|the\s+size\s+of)",
    ),
    # --- a pop, crack or snap when it happened (a fall or twist with swelling: see assess())
    _sign(
        "pop_with_swelling",
        "pop",
        r"(?:(?:heard|felt|there\s+was|got)\s+(?:a\s+|an\s+|this\s+|some\s+(?:kind|sort)\s+of\s+)?"
        r"(?:\w+\s+){0,2}?(?:pop|crack|snap|clunk|tear|rip)(?:\s+(?:sound|noise))?"
        r"|something\s+(?:\w+\s+)?(?:popped|snapped|tore|ripped|cracked|went\s+(?:pop|snap|crack))"
        rf"|(?:knee|kne|it|leg){_gap(2)}(?:popped(?!\s+(?:out|back|in)\b)|snapped|went\s+(?:pop|snap"
        r"|crack|clunk)|made\s+a\s+(?:loud\s+|big\s+|horrible\s+)?(?:pop|snap|crack|clunk|popping\s+"
        r"(?:sound|noise))))",
    ),
    # --- deformity: the wrong shape, kneecap out of place
    _sign(
        "deformity",
        "deformed",
        r"(?:deform(?:ed|ity|ation)?|defromed|disfigured|mis-?shapen|dislocat\w*|disloacted|dislocted"
        r"|bent\s+the\s+wrong\s+way|(?:bone|lump|something)\s+(?:is\s+)?sticking\s+out)",
    ),
    _sign(
        "deformity",
        "kneecap",
        rf"{KNEECAP}{_gap(3)}(?:(?:popped|pops?|popping|slipped|slips?|slipping|shifted|shot|jumped|came"
        rf"|went|moved|pushed|knocked|slid|is|was|'s|sits|sitting|sat|looks|stuck)\s+(?:now\s+)?(?:right\s+|way\s+"
        rf"|all\s+the\s+way\s+)?(?:over\s+)?(?:out|sideways|across|off\s+to\s+the\s+side|(?:to|on|at)\s+the\s+"
        rf"(?:side|outside)|at\s+an?\s+(?:weird|odd"
        rf"|strange|funny|wrong)\s+angle|in\s+the\s+wrong\s+place)|out\s+of\s+(?:place|line|position"
        rf"|joint))",
    ),
    _sign(
        "deformity",
        "kneecap",
        r"(?:knee|it)\s+(?:\w+\s+)?(?:popped|slipped|came|went|pops|slips|popping"
        r"|slipping)\s+out"
        r"(?!\s+of\s+(?:my|the)\s+(?:head|mind))",
    ),
    _sign(
        "deformity",
        "wrong_shape",
        rf"(?:knee|kne|leg){_gap(3)}(?:out\s+of\s+(?:place|line|(?:its|the)\s+groove)|(?:the\s+|a\s+)?(?:wrong"
        rf"|weird|odd|strange)\s+shape|at\s+an?\s+(?:weird|odd|strange|funny|wrong)\s+angle|crooked"
        rf"|not\s+(?:in\s+the\s+right\s+place|where\s+it\s+should\s+be))"
        rf"|(?:knee|kne|leg|knee\s?cap)\s+(?:looks?|is\s+looking)\s+(?:all\s+|really\s+|very\s+|so\s+)?(?:wonky"
        rf"|crooked|twisted|bent\s+and\s+wrong|wrong|out\s+of\s+shape)"
        rf"|{KNEECAP}{_gap(3)}out\s+of\s+(?:its|the)\s+groove",
    ),
    # --- infection: hot and red (with a fever: see assess())
    _sign(
        "infection_signs",
        "hot_red",
        r"(?:red[- ]?hot|(?:hot|warm|burning)\W+(?:(?:and|&|swollen|very|really|quite|bright|to|the"
        r"|touch)\W+){0,4}red(?:dened)?|red(?:dened)?\W+(?:(?:and|&|swollen|very|really|quite|bright)\W+)"
        r"{0,3}(?:hot|warm(?!\s*-?\s*up)|burning)|redness\s+and\s+(?:heat|warmth)|(?:heat|warmth)\s+and"
        r"\s+redness)",
    ),
    _sign(
        "infection_signs",
        "infected",
        rf"(?:(?:knee|kne|wound|cut|graze|scrape|scar|stitches|it){_gap(3)}infect\w*|pus|oozing"
        r"|red\s+streaks?)",
    ),
    # --- blood clot: a swollen or hot calf; breathlessness or chest pain
    _sign(
        "dvt_signs",
        "calf",
        rf"(?:{CALF}{_gap(5)}(?:{SWELL}|hot|warm(?!\s*-?\s*up)|red|bigger|larger|fatter|thicker)"
        rf"|{CALF}\s+(?:is|was|feels|looks|got)\s+(?:(?:really|very|quite|so)\s+)?(?:\w+\s*(?:,|and)\s*)"
        rf"{{1,3}}(?:{SWELL}|hot|red|warm)"
        rf"|(?:{SWELL}|hot|bigger|larger|fatter)\s+(?:\w+\s+){{0,2}}?{CALF}"
        r"|(?:whole|lower|entire)\s+leg\s+(?:\w+\s+){0,3}?(?:swollen|swelled|puffy)"
        r"|(?:one|my\s+(?:left|right|bad|injured))\s+(?:leg|calf|lower\s+leg)\s+(?:is|was|looks|feels)\s+"
        r"(?:\w+\s+){0,2}?(?:swollen|puffy|bigger|fatter)\s+than\s+the\s+other|swollen\s+(?:lower\s+"
        r"|whole\s+)?leg|leg\s+(?:is|was|has|got|looks|feels)\s+(?:all\s+|really\s+|very\s+)?(?:swollen"
        r"|swelled|puffy))",
    ),
    _sign(
        "dvt_signs",
        "breathless",
        r"(?:short(?:ness)?\s+of\s+breathe?|breathless\w*|breathles|out\s+of\s+breath|(?:can'?t|cannot"
        r"|struggl\w*\s+to|hard\s+to|difficult\s+to|trouble|difficulty|problems?)\s+(?:catch\s+my\s+)?"
        r"breath(?:e|ing)?)",
        unless=RUNNING_EFFORT,
    ),
    _sign(
        "dvt_signs",
        "breathless",
        r"(?:chest\s+(?:pain|tightness|hurts|is\s+tight|feels\s+tight)|pains?\s+in\s+(?:my|the)\s+chest"
        r"|tight\s+chest|cough\w*\s+(?:up\s+)?blood|(?:pain|hurts)\s+(?:when\s+i|to)\s+breathe?)",
    ),
    # --- nerves: numbness, tingling, pins and needles
    _sign(
        "numbness",
        "numb",
        r"(?:numb(?:ness|nes|ed)?|numbess|tingl\w*|tingel\w*|pins?\s*(?:and|&|n'?|an)\s*(?:needl?e?s"
        r"|needels)|foot\s+drop|drop\s+foot)",
        unless=r"\b(?:ice|icing|iced|cold|frozen|freezing|numbing\s+(?:gel|cream|spray)|hands?"
        r"|fingers?|shoes?|laces?|lacing|trainers|sneakers"
        # a position that squeezes a nerve for a while ("when I sit cross-legged")
        r"|cross[- ]?legged|legs?\s+crossed|sat\s+on\s+(?:it|my|them)|sitting\s+on\s+(?:it|my|them)|toilet)\b",
    ),
    _sign(
        "numbness",
        "numb",
        rf"(?:{CANT}\s+feel|(?:lost|loss\s+of|losing|reduced|no)\s+(?:the\s+|all\s+|any\s+)?(?:feeling"
        r"|sensation))\s+(?:in\s+|of\s+|on\s+)?(?:my\s+|the\s+)?(?:foot|feet|toes?|leg|lower\s+leg|shin"
        r"|ankle|calf)",
    ),
    _sign(
        "numbness",
        "numb",
        r"(?:can'?t|cannot|unable\s+to)\s+(?:lift|pull|raise|bring)\s+(?:up\s+)?(?:my\s+|the\s+)?(?:foot|toes)"
        r"|(?:foot|feet|toes)\s+(?:is\s+|are\s+|has\s+|have\s+|keeps?\s+)?(?:still\s+)?(?:asleep|(?:fallen|falling"
        r"|gone|going)\s+(?:to\s+sleep|asleep))"
        r"|(?:foot|feet|toes|leg|shin)\s+(?:has|have|had|with)\s+(?:no|lost\s+(?:all\s+|its\s+|their\s+)?)\s*"
        r"(?:feeling|sensation)"
        r"|(?:foot|feet)\s+(?:is\s+|keeps\s+)?(?:slapp\w*|flopp?\w*|dragg\w*)|(?:slapp|dragg)\w*\s+my\s+foot"
        r"|floppy\s+foot",
    ),
    # A weak or dead foot: can't move or wiggle the toes, "my foot feels dead" (not "dead legs").
    _sign(
        "numbness",
        "weak_foot",
        rf"(?:{CANT}|{WONT})\s+(?:really\s+|properly\s+)?(?:move|wiggle|wriggle|lift|bend|point|flex|curl)"
        r"\s+(?:my\s+|the\s+|his\s+|her\s+)?(?:toes|foot|feet|ankle)"
        r"|(?:foot|feet|toes)\s+(?:\w+\s+){0,2}?dead\b|(?:foot|feet|toes)\s+(?:won'?t|don'?t|doesn'?t)\s+move",
    ),
    # --- blood supply: a cold, pale or blue foot or leg
    _sign(
        "circulation",
        "pale_foot",
        rf"(?:{FOOT}{_gap(4)}(?:(?:gone|turned|going|turning|is|looks?|feels?)\s+)?(?:\w+\s+){{0,2}}?{PALE}"
        rf"(?:\s+colou?r)?|{PALE}\s+(?:and\s+{PALE}\s+)?{FOOT})",
        unless=r"\b(?:ice|icing|iced|bath|weather|winter|snow|frost\w*|socks|outside|water)\b|\bcold\s+feet\b",
    ),
    # --- an open wound, bone showing (with deformity: emergency department now)
    _sign(
        "deformity",
        "open_wound",
        r"(?:(?:bone|something\s+white)\s+(?:\w+\s+){0,3}?(?:showing|poking|visible|through)"
        r"|(?:can|could)\s+see\s+(?:\w+\s+){0,3}?(?:bone|something\s+white)"
        r"|(?:gash\w*|cut|split|ripped|torn)\s+(?:\w+\s+){0,3}?open|deep\s+(?:cut|gash|wound)"
        r"|gaping\s+(?:cut|wound|hole)|(?:cut|gash\w*|wound|split)\s+(?:[\w',]+\s+){0,8}?gaping|gaping\s+open"
        r"|(?:won'?t|will\s+not|can'?t|cannot)\s+(?:\w+\s+){0,2}?stop\s+(?:the\s+)?bleeding|bleeding\s+heavily)",
    ),
    # --- the knee will not move at all (after an injury: emergency)
    _sign(
        "locking",
        "wont_move",
        rf"(?:(?:{CANT}|{WONT})\s+(?:\w+\s+){{0,2}}?(?:move|bend)(?:\s+(?:it|my\s+knee|my\s+leg|the\s+knee))?"
        rf"\s+at\s+all|(?:{CANT}|{WONT})\s+(?:straighten|bend)\s+or\s+(?:straighten|bend))",
    ),
    # --- infection: a hot swollen knee; a fever or shivers with knee pain
    _sign(
        "infection_signs",
        "hot_swollen",
        rf"(?:(?:hot|warm|boiling)\s+(?:and\s+|&\s+)?(?:\w+\s+)?{SWELL}|{SWELL}\s+(?:and\s+|&\s+)(?:\w+\s+)?"
        r"(?:hot|warm(?!\s*-?\s*up)|boiling)|hot\s+to\s+(?:the\s+)?touch)",
    ),
    _sign(
        "infection_signs",
        "fever_pain",
        TRUE_FEVER,
        unless=r"\b(?:hay\s+fever|cabin\s+fever|race\s+fever|marathon\s+fever|cold|shivering\s+at\s+the"
        r"\s+start|freezing|(?:knees?|it)\s+(?:is|are|'s|feels?|seems?)\s+(?:totally\s+|completely\s+)?(?:fine|ok"
        r"|okay|good|normal|all\s+right|grand))\b",
    ),
]

# Findings that are red flags only in combination (see assess()).
# Context signs whose denial rules a red flag out ("no swelling", "not hot or red", "no fever").
DENIABLE_SIGNS = ("swelling", "fever", "inflamed", "wound_problem", "calf_pain", "limp_hip")
CONTEXT: List[Sign] = [
    _sign(
        "injury",
        "injury",
        INJURY,
        unless=r"\bfell\s+(?:asleep|behind|in\s+love|apart|short|ill|off\s+the\s+(?:plan|wagon))",
    ),
    _sign("swelling", "swelling", SWELL, unless=OTHER_BODY_PART),
    _sign("fever", "fever", FEVER),
    _sign("inflamed", "inflamed", INFLAMED),
    _sign(
        "procedure",
        "procedure",
        PROCEDURE,
        unless=r"\b(?:(?:[3-9]|1[0-2]|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|many)"
        r"\s+months?\s+(?:ago|back)|not\s+had|never\s+had)\b",
    ),
    _sign("wound_problem", "wound", WOUND_PROBLEM),
    _sign(
        "calf_pain",
        "calf",
        rf"{CALF}{_gap(3)}(?:pain\w*|sore|ache\w*|aching|tender|tight|hurt\w*)"
        rf"|(?:pain|sore|ache|aching|tender|tight)\s+(?:\w+\s+)?{CALF}",
    ),
    _sign("child", "child", CHILD),
    _sign(
        "limp_hip",
        "limp_hip",
        r"(?:limp\w*|hobbl\w*|hips?|groin|thighs?)",
        unless=r"\b(?:hips?|thighs?|groin)(?:\s+(?:and|or|&)\s+(?:hips?|thighs?|groin))?\s+(?:is|are|feels?"
        r"|seems?|'s)\s+(?:fine|ok|okay|good|normal|all\s+right)|walk\w*\s+normally"
        r"|\bhip\s+(?:strength|exercises?|thrusts?|bridges?|flexors?\s+stretch)",
    ),
    _sign("night", "night", NIGHT),
    _sign(
        "systemic",
        "systemic",
        SYSTEMIC,
        unless=r"\b(?:trying\s+to|want(?:ed)?\s+to|need\s+to|(?<!not\s)on\s+purpose|(?<!not\s)deliberately"
        r"|(?<!not\s)intentionally|lose\s+weight\s+for)\b",
    ),
]

# --- negation: clinic/text/negation.py (the same scope as the triage's answers) -------------

# "I dislocated my kneecap years ago": history, not something happening now; unless the
# sentence also says it is happening again ("...last year, and today it popped out again").
_LONG_AGO = re.compile(
    r"\b(?:(?:\d+|a\s+few|a\s+couple\s+of|two|three|four|five|several|many)\s+years?\s+(?:ago|back)"
    r"|last\s+year|years\s+ago|for\s+(?:many\s+|several\s+|a\s+few\s+|some\s+)?years"
    r"|as\s+a\s+(?:kid|child|teenager|teen)|when\s+i\s+was\s+(?:younger|a\s+kid"
    r"|little|at\s+school)|at\s+(?:school|uni|university|college))\b"
)
_YEAR = re.compile(r"\bin\s+((?:19|20)\d\d)\b")
_NOW = re.compile(
    r"\b(?:again|today|tonight|now|still|currently|this\s+(?:morning|afternoon|evening|week|month)"
    r"|(?:come|came|comes|coming)\s+back|(?:is|it's|its)\s+back|returned|flar\w*\s+up"
    r"|(?:has|have|'s|'ve)\s+been\s+(?:\w+\s+)?(?:hurt|ach|sore|pain|bother|niggl|swell|swoll|lock|giv|buckl|stiff"
    r"|troubl|click|playing|flar|grumbl|throb)\w*"
    r"|yesterday|recently|lately|keeps?|kept|these\s+days|at\s+the\s+moment|every|ever\s+since"
    r"|since\s+(?:last\s+year|i\s+was))\b"
)  # "has locked since last year": still going on


# "every couple of weeks, then it's fine again": episodes that settle, not a knee stuck now.
_EPISODIC = re.compile(
    r"\b(?:every\s+(?:so\s+often|now\s+and\s+then|couple|few|other|once)|now\s+and\s+then|occasionally"
    r"|sometimes|once\s+in\s+a\s+while|from\s+time\s+to\s+time|on\s+and\s+off|every\s+\w+\s+(?:weeks?|months?)"
    r"|(?:fine|ok|okay|normal)\s+again|clicks?\s+free|for\s+a\s+(?:second|moment|few\s+seconds)"
    r"|(?:no\s+(?:problems?|issues?|trouble|bother)|fine|ok|okay|good|alright)\s+(?:ever\s+)?since"
    r"|(?:only|just)\s+(?:the\s+)?once|(?:then|and)\s+(?:it\s+)?settles|in\s+between"
    r"|(?:wiggl\w*|click\w*|clunc?k\w*|pop\w*|work\w*|comes?|goes|went)\s+(?:it\s+)?(?:itself\s+)?free"
    # a habit, not a state: "only when it jams", "whenever it gives way", "gives way on descents"
    r"|(?:when|whenever|each\s+time|every\s+time)\s+it\s+(?:locks|jams|catches|gives\s+way|buckles)"
    r"|(?:(?:gives|keeps\s+giving)\s+(?:way|out)|buckles|locks|jams)\s+(?:\w+\s+){0,2}?"
    r"(?:on|going|when|whenever|if|every|in)\s+(?!the\s+moment\b))\b"
)
_STUCK_NOW = re.compile(
    r"\b(?:today|right\s+now|at\s+the\s+moment|still\s+(?:stuck|locked)|can'?t\s+(?:\w+\s+)?straighten"
    r"|won'?t\s+(?:\w+\s+)?straighten|since\s+this\s+morning|since\s+yesterday|just\s+now)\b"
)


# "right now it feels normal" says the opposite of stuck now.
_NOT_STUCK_NOW = re.compile(
    r"\b(?:right\s+now|at\s+the\s+moment|now)\s+(?:it\s*)?(?:feels?|is|seems|'s)\s+(?:\w+\s+)?"
    r"(?:normal|fine|ok|okay|good|moving\s+(?:normally|fine|ok))\b"
    r"|\b(?:fine|ok|okay|normal|good)\s+(?:right\s+now|at\s+the\s+moment)"
    r"|\bnot\s+(?:stuck|locked)\s+(?:right\s+)?now\b"
)


def is_history(text: str, start: int, end: int) -> bool:
    """Is the phrase text[start:end] (lower case) in a sentence about settled history?"""
    left, right = _sentence_span(text, start, end)
    return _is_long_ago(text[left:right])


_ANY_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")


def names_an_earlier_year(text: str, bare: bool = False) -> bool:
    """ "in 2012" (or, `bare`, any "2012") names a year before this one: this year or a year
    to come is not history."""
    return any(int(year) < date.today().year for year in (_ANY_YEAR if bare else _YEAR).findall(text))


def _is_long_ago(sentence: str) -> bool:
    """History that has settled: long ago, or in a year before this one."""
    return (bool(_LONG_AGO.search(sentence)) or names_an_earlier_year(sentence)) and not _NOW.search(sentence)


# "what if it locks?", "is giving way a sign of a tear?", "what does it mean when a knee
# locks?": a question or a hypothetical, not a report. A sentence that also speaks of the
# user's own knee ("mine's stuck", "my knee locks") stays a report.
_HYPOTHETICAL = re.compile(
    r"\b(?:what\s+if|what\s+happens\s+if"
    r"|in\s+case|if\s+ever|if\s+(?:it|my\s+knee|the\s+knee|your\s+knee|a\s+knee|knees?)"
    r"\s+(?:ever|starts?|begins?|were|was\s+to)|supposing|suppose|imagine|whether)\b"
)
# "what should I do if my knee buckles?": no alarm; but as a story of one's own knee ("what
# should I do if my knee hurts after running?") it is usually happening now.
_WHAT_TO_DO_IF = re.compile(r"\b(?:what\s+(?:should|do|would|can|shall)\s+i\s+do\s+if|what\s+to\s+do\s+if)\b")
_QUESTION_START = re.compile(
    r"^\W*(?:\w+\W+){0,2}?(?:what|why|how|is|are|does|do|can|could|should|when|which|whats|what's)\b"
)
_FIRST_PERSON = re.compile(r"\b(?:my|i|i'm|im|me|mine|mines|i've|ive|i'd|myself)\b")
# A red flag that only might happen ("felt like it might give way but it didn't", "worried it
# may lock"), unless the sentence says it is happening ("it could lock any second, it has
# twice today"); "might have locked" is a report.
_MAYBE = re.compile(r"\b(?:might|may|could|going\s+to|gonna)\s+(?!have\b|of\b)(?:(?:just|suddenly|also)\s+)?$")
# A red flag named as the condition for acting, or as an example, in a question ("... only if
# it locks?", "do I only need a physio if it gives way?", "when do I worry, like if it locks?");
# the condition must lead up to the red flag ("it hurts only when I run and then it locks?" is
# a report).
_ONLY_IF = re.compile(
    r"\b(?:only\s+(?:[\w']+\s+){0,4}?(?:if|when)|unless|(?:like|say|e\.?g\.?|for\s+(?:example|instance))\s+if)"
    r"\s+(?:[\w']+\s+){0,3}$"
)
# Openings that ask even when the "?" is left off ("what does it mean when your knee locks").
_ASKING_START = re.compile(
    r"^\W*(?:\w+\W+){0,2}?(?:what\s+(?:does|do|would|could|can)\s+it\s+mean|what\s+(?:causes?|makes)"
    r"|why\s+(?:would|does|do|did|might|can|could|is|are)|how\s+come"
    r"|is\s+it\s+(?:normal|bad|serious|dangerous|a\s+bad\s+sign)\s+(?:if|when|for|that))\b"
)


def is_hypothetical(text: str, start: int, end: int, what_to_do_if: bool = True) -> bool:
    """Is the phrase text[start:end] (lower case) asked about or supposed, not reported?
    `what_to_do_if`: "what should I do if ..." counts as supposed."""
    left, right = _sentence_span(text, start, end)
    if _HYPOTHETICAL.search(text, left, start) or (what_to_do_if and _WHAT_TO_DO_IF.search(text, left, start)):
        return True
    sentence = text[left:right]
    if _MAYBE.search(text[left:start]) and not _NOW.search(sentence):
        return True
    asks = text[right : right + 1] == "?" or "?" in sentence or bool(_ASKING_START.search(sentence))
    if asks and _ONLY_IF.search(text[left:start]):
        return True  # "do I need a physio, only if it locks?": the symptom is the condition asked about
    return asks and bool(_QUESTION_START.search(sentence)) and not _FIRST_PERSON.search(sentence)


# --- matching -------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """Lower case with straight quotes; the same length, so offsets fit the original text."""
    return text.lower().translate(str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"}))


def _sentence_span(text: str, start: int, end: int, reach: int = 150) -> Tuple[int, int]:
    """Where the sentence around a match starts and ends, at most `reach` characters either
    side (messages can be long without a full stop; checking all of it for every match
    would be slow)."""
    left = max([text.rfind(mark, max(0, start - reach), start) for mark in ".!?\n"] + [start - reach - 1])
    rights = [i for i in (text.find(mark, end, end + reach) for mark in ".!?\n") if i != -1]
    return max(0, left + 1), min(rights) if rights else min(len(text), end + reach)


_CLAUSE_BOUNDARY = re.compile(r"[,;]|\bbut\b")


def _sentence(text: str, start: int, end: int) -> str:
    left, right = _sentence_span(text, start, end)
    return text[left:right]


def _clause(text: str, start: int, end: int) -> str:
    """The part of the sentence around a match between commas, semicolons and "but"."""
    left, right = _sentence_span(text, start, end)
    cut = left
    for boundary in _CLAUSE_BOUNDARY.finditer(text, left, right):
        if boundary.start() >= end:
            return text[cut : boundary.start()]
        if boundary.end() <= start:
            cut = boundary.end()
    return text[cut:right]


def _mentions(text: str, signs: List[Sign]) -> List[Mention]:
    found = []
    for sign in signs:
        for match in sign.pattern.finditer(text):
            start, end = match.span()
            if sign.unless and sign.unless.search(_sentence(text, start, end)):
                continue
            if sign.unless_near and sign.unless_near.search(text, max(0, start - 12), end):
                continue
            denied = _is_negated(text, start, end) or _is_long_ago(_clause(text, start, end))
            asked = not denied and is_hypothetical(text, start, end)
            found.append(Mention(sign.name, sign.sign, start, end, denied or asked, asked))
    return found


def _combinations(context: Dict[str, List[Mention]]) -> List[Mention]:
    """Findings that are red flags only together (each part not negated)."""
    found = []
    injury, swelling = context.get("injury"), context.get("swelling")
    if injury and swelling:  # a fall, knock or twist, then swelling
        found.append(Mention("pop_with_swelling", "fall_swelling", injury[0].start, injury[0].end))
    fever = context.get("fever")
    if fever and (context.get("inflamed") or swelling):
        found.append(Mention("infection_signs", "fever", fever[0].start, fever[0].end))
    procedure = context.get("procedure")  # not months or years ago (see CONTEXT)
    if procedure and (
        context.get("wound_problem") or context.get("inflamed") or swelling or fever or context.get("calf_pain")
    ):
        found.append(Mention("after_procedure", "procedure", procedure[0].start, procedure[0].end))
    child, limp_hip = context.get("child"), context.get("limp_hip")
    if child and limp_hip:  # a limping child, or hip or thigh pain: hip problems show as knee pain
        found.append(Mention("child_hip_limp", "child", limp_hip[0].start, limp_hip[0].end))
    night, systemic = context.get("night"), context.get("systemic")
    if night and systemic:
        found.append(Mention("night_pain_unwell", "night", systemic[0].start, systemic[0].end))
    return found


def _is_emergency(mention: Mention, injured: bool, hurt: bool = False) -> bool:
    """Findings that need the emergency department or emergency number now. `injured`: a
    fall, twist, knock, pop or giving way; `hurt`: a fall, twist or knock itself."""
    if mention.name in ("deformity", "circulation"):
        return True
    if mention.name == "numbness" or (mention.name == "locking" and mention.sign == "wont_move"):
        return hurt  # nerve or vessel damage, or a fracture, after an injury
    if mention.name == "cannot_bear_weight":
        return injured  # after an injury: possible fracture or major ligament tear
    if mention.name == "dvt_signs":
        return mention.sign == "breathless"  # a clot may have reached the lungs
    if mention.name == "infection_signs":
        return mention.sign == "fever"  # a hot, red or swollen knee and a fever: septic joint
    return False


_CUE_WORD = re.compile(r"\b(?:no|not|never|without|nor|none|nothing|\w+n'?t)\b")


def _without_cues_inside(text: str, mentions: List[Mention]) -> str:
    """The text with the negation words inside reported red-flag phrases blanked out, so the
    "no" of "my foot has no feeling" does not deny the "since the fall" after it."""
    chars = list(text)
    for mention in mentions:
        if not mention.negated:
            for cue in _CUE_WORD.finditer(text, mention.start, mention.end):
                chars[cue.start() : cue.end()] = " " * (cue.end() - cue.start())
    return "".join(chars)


def assess(text: str) -> Assessment:
    """The red flags a message reports (most serious first) and the ones it negates."""
    if not text or not text.strip():
        return Assessment()
    normalised = _normalise(text)
    mentions = _mentions(normalised, SIGNS)
    context: Dict[str, List[Mention]] = {}
    denied_signs: List[str] = []
    for mention in _mentions(_without_cues_inside(normalised, mentions), CONTEXT):
        if not mention.negated:
            context.setdefault(mention.name, []).append(mention)
        elif mention.name in DENIABLE_SIGNS and not mention.asked and mention.name not in denied_signs:
            denied_signs.append(mention.name)

    positive = [m for m in mentions if not m.negated] + _combinations(context)
    # An injury: a fall, twist or knock, a pop, or the knee giving way.
    injured = bool(context.get("injury")) or any(m.name in ("pop_with_swelling", "giving_way") for m in positive)
    injured_by_event = bool(context.get("injury")) or any(m.name == "pop_with_swelling" for m in positive)
    # One RedFlag per name: its first phrase, or its first emergency phrase if it has one.
    by_name: Dict[str, RedFlag] = {}
    for mention in sorted(positive, key=lambda m: m.start):
        emergency = _is_emergency(mention, injured, bool(context.get("injury")))
        current = by_name.get(mention.name)
        if current is None or (emergency and not current.emergency):
            settled = (
                mention.name in ("locking", "giving_way")
                and not injured_by_event
                and bool(_EPISODIC.search(normalised))
                and not _STUCK_NOW.search(_NOT_STUCK_NOW.sub(" ", normalised))
            )
            by_name[mention.name] = RedFlag(
                mention.name,
                mention.sign,
                text[mention.start : mention.end],
                mention.start,
                mention.end,
                emergency,
                settled,
            )
    flags = [by_name[name] for name in FLAG_NAMES if name in by_name]
    negated = [m for m in mentions if m.negated and m.name not in by_name]
    return Assessment(flags, negated, [name for name in denied_signs if name not in context])


def detect_red_flags(text: str) -> List[RedFlag]:
    """The red flags a message reports, most serious first; [] when there are none."""
    return assess(text).flags


# --- a description of the user's own knee pain ----------------------------------------------
# Runners often tell their story and ask something else ("new shoes last week and since then
# my knee aches, should I take them back?"); the classifier then rightly picks the question's
# intent, and RedFlagDetector tags `own_pain` so the answer is followed by the triage. A
# message counts when a word of knee trouble is about a knee, not denied, asked about,
# supposed, settled history or someone else's (an adult's; a child's counts: parents ask).
KNEE_WORD = re.compile(
    r"\b(?:kne+s?|kne+'s|kness|knie|knies|knwe|knwes|knee\s?caps?|patell\w*|it\s?band|itb|ilio-?tibial|menisc\w*|acl|mcl|pcl|lcl"
    r"|baker'?s\s+cyst|pes\s+anserin\w*|osgood\w*|sinding\w*|plica|fat\s+pad|hoffa\w*|chondromalacia"
    r"|patellofemoral|pfps|itbs)\b"
)
_TROUBLE = re.compile(
    r"\b(?:pain(?![\s-]*free)\w*|hurt\w*|ache\w*|aching|achy|sore\w*|niggl\w*|twing\w*|throb\w*|grumbl\w*"
    r"|killing|kills|bother\w*|swell\w*|swollen|puff\w*|tender|stiff\w*|tight\w*|click\w*|creak\w*"
    r"|crunch\w*|grind\w*|knackered|wrecked|wonky|dodgy|meh|flar\w*|complain\w*|problems?|issues?"
    r"|trouble|injur\w*|tweak\w*|strain\w*|pulled|bruis\w*|burn\w*|stabb\w*|sharp|dull|unstable"
    r"|wobbly|weak|bad\s+knees?|(?:playing|acting)\s+up|giving\s+(?:me\s+)?(?:grief|gyp|jip|hell|trouble"
    r"|problems)|(?:gone|went|going)\s+(?:again|on\s+me)|feel(?:s|ing)?\s+(?:a\s+bit\s+|really\s+|so\s+)?"
    r"(?:off|weird|odd|strange|funny|wrong|not\s+right)|(?:not|\w*n't)\s+(?:feel(?:ing)?\s+|seem\w*\s+)?right"
    r"|(?:knee|it)\s+(?:says|said)\s+no|not\s+happy|unhappy|grump\w*|ouch|ow+|done\s+something\s+to"
    r"|because\s+of\s+(?:my|the|his|her)\s+(?:\w+\s+)?knee|miss(?:ing|ed)?\s+(?:\w+\s+)?(?:training|runs?|races?)"
    r"|pull(?:ing|s)|tugg?\w*|loose"
    r"|(?:not|never|n't)\s+(?:\w+\s+)?(?:been|felt|quite)\s+(?:\w+\s+)?(?:right|the\s+same|normal|100)"
    r"|(?:never|doesn'?t|does\s+not|won'?t|isn'?t|not)\s+(?:\w+\s+)?(?:stops?\s+(?:\w+ing|hurting)|settl\w*|improv\w*"
    r"|go(?:es|ne)?\s+away|heal\w*|get(?:ting)?\s+better|ease\w*\s+off)"
    r"|(?:a|this|that|some|weird|odd|strange)\s+(?:\w+\s+)?(?:feeling|sensation)\s+(?:in|behind|around|under|at|on)"
    r"|discomfort|struggl\w*|rough|shot|iffy|hat(?:es|ing)\s+me|moan\w*|sulk\w*|protest\w*|screaming|"
    r"(?:went|gone|going|goes)\s+(?:a\s+bit\s+|all\s+)?(?:funny|weird|odd"
    r"|strange|wonky|wrong)|(?:stops?|stopped|stopping)\s+me|(?:won'?t|doesn'?t|didn'?t)\s+let\s+me"
    r"|(?:letting|lets?)\s+me\s+down|(?:not|isn'?t|wasn'?t)\s+(?:\w+\s+)?(?:good|great|ok|okay|happy|100)"
    r"|(?:doesn'?t|does\s+not|don'?t|didn'?t)\s+feel\s+(?:\w+\s+)?(?:100|right|good|great|normal|ok|okay|the\s+same)"
    r"|something\s+(?:going\s+on|wrong|up|not\s+right)\s+with|a\s+problem"
    r"|(?:is|'s|has\s+come|have\s+come|came|comes|coming)\s+back\b(?!\s+(?:of|to\s+(?:normal|running|full)))"
    r"|(?:kne\w*|it|they)(?:'s)?(?:\s+(?:has|have|is|are|was|been|getting|gets|got|gone|feels?|felt|really|so|a"
    r"|bit|pretty|quite|even|much|way|just)){1,4}\s+(?:bad|worse)"
    r")\b"
)
# Wanting one's own knee seen ("should I get my knee checked?", "I need to see a physio about
# my knee"): it is troubling the user. Only with "my" in the sentence.
_SEEKING_CARE = re.compile(
    r"\b(?:get|getting|have|having)\s+(?:it|my\s+(?:\w+\s+)?knee\w*|them)\s+(?:checked|looked\s+at|seen|assessed"
    r"|examined|x-?rayed|scanned)"
    r"|\b(?:see|seeing|visit\w*)\s+(?:a|the|your)\s+(?:physio\w*|doctor|gp|specialist|someone)"
    r"|\b(?:have|take)\s+a\s+look\s+at\s+my"
)
# A condition named as one's own ("I think it's runner's knee"): only with I / my in the sentence.
_CONDITION = re.compile(
    r"\b(?:runn?er'?s'?\s+knee|jumper'?s\s+knee|it\s?b(?:and)?\s+syndrome|itbs|patellar\s+tend\w*"
    r"|tendin\w*|tendon\w*|chondromalacia|osgood\w*|torn\s+menisc\w*|menisc\w*\s+tear"
    r"|lumps?|cysts?|tor[en]|sprain\w*|arthrit\w*|osteoarthrit\w*|bursitis)\b"
)
# "the back of my knee", "outside of my knee", "knee. again.": in a short message, what hurts.
_WHERE_ON_KNEE = re.compile(
    r"\b(?:back|front|outside|inside|side|top|bottom)\s+of\s+(?:my|the)\s+(?:left\s+|right\s+)?kne"
    r"|\b(?:under|below|behind|around|above)\s+(?:my|the)\s+knee\s?cap|\bagain\b"
)
_ASKS = re.compile(r"^\W*(?:what|what's|whats|why|how|is|are|does|do|can|could|should|which|will|would)\b")
I_OR_MY = re.compile(r"\b(?:i|i'm|im|i've|ive|my|mine|mines)\b")
_FIRST_PERSON_OR_CHILD = re.compile(rf"{_FIRST_PERSON.pattern}|\b{CHILD}\b|\bour\b")
_CHILD_WORD = re.compile(rf"\b{CHILD}\b")
# An adult who is someone else and not family ("my friend's knee", "my client's knee"): chat,
# not a consultation. Family (a partner, a parent...) is triaged like a child: the user asks
# for someone they look after, and the triage asks the age ("How old is the person...").
_SOMEONE_ELSE = re.compile(
    r"\b(?:friend|mate|buddy|pal|colleague|co-?worker|teammate|client|patient|coach|neighbou?r|boss"
    r")s?\b"
)
# Someone else's knee, operation or story told just before the words ("my dad ended up with a
# knee replacement", "my friend had her ACL done").
_ANOTHER_PERSON = re.compile(
    r"\b(?:dad|father|mum|mom|mother|parents?|gran\w*|grand\w+|nan|uncle|aunt\w*|brother|sister|wife|husband"
    r"|partner|friend|mate|colleague|neighbou?r|coach|s?he|his|her|they|their)\b"
)


def about_someone_else(text: str, start: int) -> bool:
    """Is the phrase starting at `start` about another person (named earlier in its sentence)?
    Only for not pre-filling an answer (it is then asked): that person may be the patient."""
    sentence_start = max(text.rfind(mark, 0, start) for mark in ".!?\n") + 1
    return bool(_ANOTHER_PERSON.search(text, max(sentence_start, start - 50), start))


# "my knee was sore yesterday but it's fine now", "... but she's fine now": over.
_OVER_NOW = re.compile(
    r"\b(?:s?he|they|it|i)(?:'s|'re|'m|\s+is|\s+are|\s+am)\s+(?:\w+\s+)?(?:fine|better|ok|okay|good|grand|alright)"
    r"\s+now\b"
)
# People in general ("runners with knee pain", "do people get sore knees?").
_PEOPLE = re.compile(
    r"\b(?:runners(?!'?\s+knee)|people|athletes|anyone|someone|everyone|everybody|women|men|folks"
    r"|beginners|a\s+lot\s+of\s+us)\b"
)
_OTHER_BODY_PART = re.compile(
    r"\b(?:ankles?|foot|feet|hips?|hamstrings?|calf|calves|shins?|back|shoulders?|achilles|heels?"
    r"|thighs?|quads?|groin|toes?|neck|arms?|wrists?|elbows?|hands?|head|stomach|chest)\b"
)
# Pain one only fears or wants to avoid ("I'm worried my knees will hurt", "how do I prevent
# knee pain?"): not a description.
_WILL = re.compile(r"\b(?:will|'ll|would|might|may|could|going\s+to|gonna)\s+(?:\w+\s+)?$")
_AVOID = re.compile(r"\b(?:prevent\w*|avoid\w*|protect\w*|risk\s+of|reduce\w*|keep\s+\w+\s+from)\b")
# Over: "stopped hurting", "the pain is gone", "used to bother me" (unless it came back).
_RESOLVED = re.compile(
    r"\b(?:stopped|no\s+longer|not\s+any\s?more|anymore|used\s+to|went\s+away|gone\s+away|healed|recovered"
    r"|(?:is|has|'s|have|are)\s+(?:\w+\s+)?(?:gone(?!\s+(?:a\s+bit\s+|all\s+|really\s+|very\s+)?(?:funny|weird|odd"
    r"|strange|wonky|wrong|again|on|stiff|tight|sore|bad|worse|dodgy|swollen|puffy|clicky|crunchy|weak))|disappeared"
    r"|cleared|settled|better)\b)"
)
# "how do I know if I have runner's knee?": a question about knees in general, even with "I"
# in it ("how do I know if my knee pain is serious?" is about the user's own knee).
_HOW_KNOW = re.compile(r"\bhow\s+(?:do|would|can|will|could)\s+(?:i|you|we)\s+(?:know|tell)\b")
_MY_KNEE = re.compile(r"\b(?:my|mine|mines)\b")
# Facts about a knee in a short message ("left knee, outside, about 3 weeks now"): two kinds
# of them tell the triage's story even without a word of pain.
_FACT_KINDS = [
    re.compile(r"\b(?:outside|inside|inner|outer|front|back|behind|below|under|underneath|above|medial|lateral)\b"),
    re.compile(
        r"\b(?:\d+|a|one|two|three|four|few|couple\s+of)\s*(?:days?|weeks?|wks?|months?)\b|\bsince\b|\bfortnight\b"
        r"|\b\d+/(?:52|12|7)\b"
    ),
    re.compile(
        r"\b(?:started|began|begun|worse|worsening|came\s+on|after\s+(?:my\s+|the\s+)?(?:\w+\s+)?(?:runs?|race"
        r"|marathon|repeats|reps|hills?|session|parkrun|long\s+run))\b"
    ),
]
_FINE_NOW = re.compile(
    r"\b(?:fine|ok|okay|good|great|better|healed|normal|recovered|no\s+(?:pain|issues|problems|trouble))\b"
)


def _facts_about_a_knee(text: str) -> bool:
    if len(text.split()) > 15 or "?" in text or _ASKS.search(text) or _FINE_NOW.search(text):
        return False
    return sum(bool(kind.search(text)) for kind in _FACT_KINDS) >= 2 and not is_hypothetical(text, 0, len(text))


_CAME_BACK = re.compile(r"\b(?:again|came\s+back|comes?\s+back|(?:is|it's|its)\s+back|returned|now)\b")


# "I can't run without pain in my knee", "no run goes by without knee pain": pain, said with
# two negatives (a "without" after an activity that is denied).
_TWO_NEGATIVES = re.compile(
    r"\b(?:can'?t|cannot|can\s+not|couldn'?t|unable\s+to|not\s+able\s+to|never|hardly|barely|impossible\s+to"
    r"|no\s+(?:run|runs|day|session|walk|race))\b(?:\s+\w+){0,3}?\s+(?:run\w*|ran|jog\w*|walk\w*|get\s+through"
    r"|goes?\s+by|go|sit|climb|do|finish\w*|train\w*|sleep|manage|stand)\b[^.!?,;]{0,40}\bwithout\s+(?:\w+\s+){0,3}$"
)


def left_of_clause(text: str, start: int) -> int:
    return _sentence_span(text, start, start)[0]


def _trouble_counts(text: str, start: int, end: int, message_has_knee: bool, child: bool) -> bool:
    """Is this word of trouble (text[start:end]) a report of a knee's trouble now?"""
    clause, sentence = _clause(text, start, end), _sentence(text, start, end)
    if not (KNEE_WORD.search(clause) or (message_has_knee and not _OTHER_BODY_PART.search(clause))):
        return False  # "my knees are fine, my hamstring is sore"
    if (_is_negated(text, start, end) and not _TWO_NEGATIVES.search(text, left_of_clause(text, start), start)) or (
        is_hypothetical(text, start, end, what_to_do_if=False)
    ):
        return False
    left = _sentence_span(text, start, end)[0]
    if _WILL.search(text, max(left, start - 30), start) or _AVOID.search(text, left, start):
        return False
    if _is_long_ago(clause) or (_RESOLVED.search(clause) and not _CAME_BACK.search(clause)):
        return False
    if not child and _SOMEONE_ELSE.search(clause):
        return False  # another adult's knee
    if _HOW_KNOW.search(sentence) and not _MY_KNEE.search(sentence):
        return False  # "how do I know if I have runner's knee?": a question about knees in general
    if _FIRST_PERSON_OR_CHILD.search(sentence):
        return True
    # A question without a "?" ("is cycling good for knee pain") or about people in general.
    return not (_PEOPLE.search(sentence) or _ASKS.search(sentence))


# The knee is not the trouble this time ("runner's knee is sorted, now my achilles...").
_KNEE_FINE = re.compile(
    r"\b(?:not\s+(?:my|the)\s+knees?|knees?\s+(?:is\s+|are\s+|'s\s+|s\s+)?(?:\w+\s+)?"
    r"(?:fine|sorted|ok|okay|good|better|grand|alright|all\s+right|healed))\b"
)


def describes_own_pain(text: str, knee_implied: bool = False) -> bool:
    """Does the message say the user's own (or their child's) knee hurts or is troubling them, now?
    With `knee_implied` (a message the classifier already reads as about knees), a message that
    names no knee and no other body part is taken to be about the knee ("it's a mild ache since
    Monday's intervals")."""
    normalised = _normalise(text or "")
    knee = KNEE_WORD.search(normalised) or (knee_implied and not _OTHER_BODY_PART.search(normalised))
    if not knee or _OVER_NOW.search(normalised):
        return False
    if _KNEE_FINE.search(normalised) and _OTHER_BODY_PART.search(normalised):
        return False  # "knee is fine, it's my ankle that's sore"
    child = bool(_CHILD_WORD.search(normalised))
    if any(_trouble_counts(normalised, m.start(), m.end(), True, child) for m in _TROUBLE.finditer(normalised)):
        return True
    if I_OR_MY.search(normalised) and any(
        _trouble_counts(normalised, m.start(), m.end(), True, child) for m in _CONDITION.finditer(normalised)
    ):
        return True
    if any(
        _MY_KNEE.search(_sentence(normalised, m.start(), m.end()))
        and _trouble_counts(normalised, m.start(), m.end(), True, child)
        for m in _SEEKING_CARE.finditer(normalised)
    ):
        return True
    where = _WHERE_ON_KNEE.search(normalised)
    if where and len(normalised.split()) <= 6 and not is_hypothetical(normalised, where.start(), where.end()):
        return True
    return _facts_about_a_knee(normalised) and not (not child and _SOMEONE_ELSE.search(normalised))


# --- which red flag the classifier may have meant ---------------------------------------------
# When only the intent classifier calls a triage answer a red flag (no red-flag words above,
# confidence below CONFIDENT_RED_FLAG in actions/safety.py), the triage asks one yes/no check
# about the red flag its words come closest to (utter_ask_triage_red_flag_check); a yes
# raises the level (clinic.disposition.decide). First match wins; "general" asks about all.
CHECK_TOPICS: List[Tuple[str, Pattern]] = [
    ("breathing", re.compile(r"\b(?:breath\w*|chest)\b")),
    ("circulation", re.compile(r"\b(?:cold|pale|blue|bluish|white|purple|grey|gray|mottled|colou?r\w*)\b")),
    ("numbness", re.compile(r"\b(?:numb\w*|tingl\w*|pins|needles|sensation|feel\s+my|dead|asleep)\b")),
    ("calf", re.compile(r"\b(?:calf|calves|clot)\b")),
    (
        "infection",
        re.compile(r"\b(?:hot|warm|red\w*|fever\w*|temp\w*|shiver\w*|chills|infect\w*|pus|wound|scar|stitch\w*)\b"),
    ),
    ("weight", re.compile(r"\b(?:weight|walk\w*|stand\w*|hobbl\w*|limp\w*|crutch\w*|hop\w*|step\w*)\b")),
    ("locking", re.compile(r"\b(?:lock\w*|stuck|straight\w*|bend\w*|bent|jam\w*|catch\w*)\b")),
    ("giving_way", re.compile(r"\b(?:giv\w*|gave|buckl\w*|collaps\w*|unstable|wobbl\w*|went|goes|fold\w*)\b")),
    ("swelling", re.compile(r"\b(?:swell\w*|swoll\w*|puff\w*|fluid|balloon\w*|huge|massive|big)\b")),
]
CHECK_TOPIC_NAMES = tuple(name for name, _ in CHECK_TOPICS) + ("general",)


def suspected_check(text: str) -> str:
    """The red-flag check to ask about a message the classifier alone called a red flag."""
    normalised = _normalise(text or "")
    return next((name for name, words in CHECK_TOPICS if words.search(normalised)), "general")
