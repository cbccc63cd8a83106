"""The clinical record of a session: who, what product and lots, when, on which gun.

`meso run` takes the fields as options; on a terminal it asks for those not given, off one
(a script, a test) they stay empty and are reported as missing, never invented. Each value
is checked before any port is opened: a product past its expiry stops the session there.
The record goes into the session log as "record" (plain JSON types), with the gun's
identity and calibration, the screening in words and who screened, and the warnings the
practitioner accepted, word for word.
"""

import datetime
import re
import sys

from host.errors import MesoError

# (field, option, question asked on a terminal)
FIELDS = (
    ("patient_ref", "--patient", "Patient reference (the clinic's, not a name)"),
    ("practitioner", "--practitioner", "Practitioner"),
    ("product", "--product", "Product name"),
    ("product_lot", "--lot", "Product lot"),
    ("product_expiry", "--expiry", "Product expiry (YYYY-MM-DD or YYYY-MM)"),
    ("syringe_lot", "--syringe-lot", "Syringe lot"),
    ("needle_lot", "--needle-lot", "Needle lot"),
)
TEXT_MAX = 80
LOT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,39}$")
GUN_KEYS = ("device_id", "board", "firmware")
COMMIT_KEYS = ("source_commit", "commit", "git_commit")
CALIBRATION_KEYS = ("cal_ppm", "backlash_um")


METAVARS = {"--patient": "REF", "--practitioner": "NAME", "--product": "NAME",
            "--expiry": "DATE"}


def add_arguments(p):
    for field, option, question in FIELDS:
        p.add_argument(option, dest="record_" + field, metavar=METAVARS.get(option, "LOT"),
                       help="clinical record: %s%s; asked on a terminal if missing"
                       % (question[0].lower(), question[1:]))


def _expiry(text, today):
    """The last day the product may be used, from YYYY-MM-DD or YYYY-MM (end of month)."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}", text):
            first = datetime.date.fromisoformat(text + "-01")
            nxt = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            day = nxt - datetime.timedelta(days=1)
        else:
            day = datetime.date.fromisoformat(text)
    except ValueError:
        raise MesoError("--expiry %r: expected a date YYYY-MM-DD or a month YYYY-MM" % text)
    if day < today:
        raise MesoError("--expiry %s: the product expired on %s; a product past its expiry "
                        "is not injected (use a lot within its date)" % (text, day.isoformat()))
    return day.isoformat()


def check(field, option, text, today):
    """The value as the record keeps it, or MesoError naming the option and what is allowed."""
    text = " ".join(str(text).split())
    if not text:
        raise MesoError("%s: empty; give the %s" % (option, field.replace("_", " ")))
    if field == "product_expiry":
        return _expiry(text, today)
    if field.endswith("_lot"):
        if not LOT.match(text):
            raise MesoError("%s %r: a lot is 1-40 letters, digits, spaces and . _ / -, "
                            "starting with a letter or digit" % (option, text))
        return text
    if len(text) > TEXT_MAX:
        raise MesoError("%s: %d characters; at most %d" % (option, len(text), TEXT_MAX))
    return text


def collect(args, head, now=None, ask=input, tty=None):
    """The record's fields from args (head: the protocol's [protocol] table, whose product
    is the default); asks for the missing ones on a terminal. Returns the record so far."""
    now = now or datetime.datetime.now().astimezone()
    tty = sys.stdin.isatty() if tty is None else tty
    rec = {"session_start": now.isoformat(timespec="seconds"), "missing": []}
    for field, option, question in FIELDS:
        value = getattr(args, "record_" + field, None)
        if value is None and field == "product":
            value = head.get("product")
        if value is None and tty:
            try:
                value = ask("%s: " % question) or None
            except EOFError:
                value = None
        if value is None:
            rec[field] = None
            rec["missing"].append(option)
        else:
            rec[field] = check(field, option, value, now.date())
    return rec


def warn_missing(rec, out=None):
    """One line when the record is incomplete (the report marks the gaps). It goes with the
    other notes of the run on stdout: stderr is for the one line of an error."""
    if rec["missing"]:
        print("Clinical record incomplete, not given: %s (the report says not recorded)."
              % ", ".join(rec["missing"]), file=out or sys.stdout)


def finish(rec, identity, screening, accepted_warnings):
    """The whole record for the session log, once the gun has answered."""
    info = (identity or {}).get("info") or {}
    gun = {k: info.get(k) for k in GUN_KEYS}
    gun["source_commit"] = next((info[k] for k in COMMIT_KEYS if info.get(k)), None)
    gun["calibration"] = {k: info[k] for k in CALIBRATION_KEYS if k in info} or None
    screen = dict(screening) if isinstance(screening, dict) else None
    if screen is not None and screen.get("method") == "asked" and not screen.get("screened_by"):
        screen["screened_by"] = rec.get("practitioner")  # asked here, by who ran the session
    out = dict(rec, gun=gun, screening=screen, accepted_warnings=list(accepted_warnings or []))
    out["session_end"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    return out
