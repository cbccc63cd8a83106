"""Aftercare instructions handed to the patient, from the clinical reference."""

AFTERCARE = (
    "No water on the treated area and no make-up for 10-15 hours.",
    "Do not scratch, rub or massage the treated area.",
    "Avoid the sun; wear sunscreen of SPF 30 or more, even on cloudy days.",
    "No strenuous exercise, sauna or hot baths for 1-2 days.",
    ("Slight swelling, redness, itching or small bruises may appear and fade within hours "
     "to a few days; call the clinic if they grow, or with fever or pus."),
)
