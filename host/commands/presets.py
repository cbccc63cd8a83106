"""`meso presets`: the technique presets and their figures."""

from host import presets

COMMAND = "presets"
HELP = "list the technique presets a zone can name, with their figures"


def add_arguments(p):
    p.add_argument("name", nargs="?", help="show one preset in detail")


def run(args):
    if args.name:
        p = presets.by_name(args.name)
        print("%s: %s" % (p.name, p.summary))
        for k, v in p.fields.items():
            print("  %-11s = %s" % (k, v if isinstance(v, str) else "%g" % v))
        for label, (lo, hi), unit in (("depth", p.depth_range_mm, "mm"),
                                      ("dose", p.dose_range_ul, "µL"),
                                      ("spacing", p.spacing_range_mm, "mm")):
            print("  usual %-8s %g-%g %s" % (label, lo, hi, unit))
        return 0
    rows = presets.table()
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    print('\nA zone names one (preset = "nappage") and may override any field.')
    return 0
