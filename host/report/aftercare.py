"""Aftercare handed to the patient, from the clinical reference, in plain words."""

AFTERCARE = (
    "Keep water off the treated skin, and wear no make-up, for 10-15 hours.",
    "Do not scratch, rub or massage the treated skin.",
    "Stay out of the sun. Wear sunscreen of SPF 30 or more, even on cloudy days.",
    "No hard exercise, sauna or hot bath for 1-2 days.",
    ("You may see slight swelling, redness, itching or small bruises. They usually fade within "
     "hours, or a few days."),
)
# When the patient should call the clinic rather than wait.
CALL_IF = (
    "the swelling, redness or pain grows instead of fading",
    "you have a fever",
    "you see pus, or the skin feels hot and hard",
)
