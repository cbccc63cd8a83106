"""The contraindication checklist asked before a session, and its record for the session log.

screen() asks each question of the clinical reference in turn; any "yes" stops the session
with a MesoError naming the reason. A checklist done elsewhere (on paper, in the clinic's
record) is recorded with screened_by=NAME instead of asking. The returned dict goes into
the session log as it is (plain JSON types only).
"""

import datetime

from host.errors import MesoError

# (key, question, reason given when the answer is yes)
CHECKLIST = (
    ("pregnancy", "Is the patient pregnant?", "pregnancy"),
    ("breastfeeding", "Is the patient breastfeeding?", "breastfeeding"),
    ("oncology", "Does the patient have an oncological disease?", "oncological disease"),
    ("allergy", "Is the patient allergic or sensitive to any ingredient of the product?",
     "allergy or sensitivity to an ingredient"),
    ("diabetes", "Does the patient have diabetes?", "diabetes"),
    ("heart", "Does the patient take medication for a heart disease?",
     "heart disease under medication"),
    ("clotting", ("Does the patient have a clotting disorder or take blood thinners "
                  "(including aspirin)?"), "clotting disorder or blood thinners"),
    ("infection", "Is there an active skin infection at the treatment site?",
     "active skin infection at the site"),
)
YES = ("y", "yes")
NO = ("n", "no")
TRIES = 3


class Contraindicated(MesoError):
    """A "yes" on the checklist; .record holds the answers so far for the session log."""

    def __init__(self, message, record):
        super().__init__(message)
        self.record = record


def in_words(answers):
    """[{question, answer}] in the checklist's order: what the record shows a reader."""
    return [{"key": key, "question": question, "answer": "yes" if answers[key] else "no"}
            for key, question, _ in CHECKLIST if key in answers]


def _now():
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _answer(ask, out, question):
    """True for yes, False for no; asks again (a few times) for anything else."""
    for _ in range(TRIES):
        try:
            reply = ask("%s [y/n] " % question)
        except EOFError:
            raise MesoError("screening: no answer to %r; the session cannot start unscreened"
                            % question)
        reply = (reply or "").strip().lower()
        if reply in YES:
            return True
        if reply in NO:
            return False
        out("Please answer y or n.")
    raise MesoError("screening: no clear answer to %r; the session cannot start unscreened"
                    % question)


def screen(ask=input, out=print, screened_by=None):
    """Ask the checklist (or record who screened elsewhere); the answers as a dict.

    Raises Contraindicated (a MesoError) naming the reason on the first "yes"."""
    record = {"checklist": [key for key, _, _ in CHECKLIST], "at": _now()}
    if screened_by is not None:
        name = str(screened_by).strip()
        if not name:
            raise MesoError("screening: --screened-by needs the name of who screened")
        record.update(method="external", screened_by=name, answers=None)
        out("Screening recorded as done by %s." % name)
        return record
    out("Contraindication checklist (answer y or n):")
    answers = {}
    for key, question, reason in CHECKLIST:
        answers[key] = _answer(ask, out, question)
        if answers[key]:
            record.update(method="asked", screened_by=None, answers=answers, stopped=reason,
                          questions=in_words(answers))
            raise Contraindicated("session stopped by screening: %s is a contraindication "
                                  "to mesotherapy" % reason, record)
    record.update(method="asked", screened_by=None, answers=answers, questions=in_words(answers))
    out("No contraindication reported.")
    return record
