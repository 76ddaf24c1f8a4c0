"""``zonesim brief OUTDIR``: the planner's brief (brief.html) written again from a finished
run's folder."""

from __future__ import annotations


def _cmd_brief(args) -> int:
    from zonesim.present.brief import brief_from_folder

    path = brief_from_folder(args.outdir, args.scenario)
    print(f"Written {path}")
    return 0


def add_brief(sub) -> None:
    p = sub.add_parser("brief", help="write brief.html, the planner's one-page report, into a "
                       "run's output folder")
    p.add_argument("outdir", help="the output folder of a finished `zonesim run`")
    p.add_argument("--scenario", default=None, metavar="FILE",
                   help="the run's scenario file (default: the one its run.json names)")
    p.set_defaults(func=_cmd_brief)
