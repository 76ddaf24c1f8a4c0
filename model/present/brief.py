"""The planner's brief: ``brief.html``, one self-contained page on a run — the plan, the
probability of meeting each target, the key targets over the years, what held back the missed
ones, the assumptions and a reading computed from the results. ``zonesim run`` writes it into
its output folder; ``zonesim brief OUTDIR`` writes it again from a finished run's folder.

Its tables, sentences and figures are the notebooks' (:mod:`.reading`, :mod:`.figures`); this
module only lays them out (:mod:`.page`).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from zonesim import __version__
from zonesim.analysis.results import load
from zonesim.analysis.targets import met_at_start, summarise
from zonesim.errors import ZonesimError, cut
from zonesim.present import reading
from zonesim.present.figures import fan_figure, p_met_figure, per_zone_figure
from zonesim.present.fonts import figure_text
from zonesim.present.formats import LIKELY, VERDICT_RULE, VERDICTS, num
from zonesim.present.labels import target_label
from zonesim.present.page import (blocks_html, document, esc, figure, runs_html, table,
                                  verdict_badge)
from zonesim.registry import scopes
from zonesim.registry.parameters import PARAMETERS
from zonesim.scenario import Scenario, load_scenario

#: the page's file in a run's output folder
FILE = "brief.html"
#: how many fan charts the "key targets" section shows
KEY_TARGETS = 6
#: targets met in fewer than this share of the replicates count as missed in "what held back"
#: (the notebooks' default)
MISSED = 0.5
#: a parameter's provenance in the planner's words
PROVENANCE = {"seed": "the plan's text", "statistic": "published statistic",
              "assumption": "assumption"}


class BriefError(ZonesimError):
    """A folder the brief cannot be written from (not a run's, or its scenario file gone or
    changed)."""


def brief_html(scenario: Scenario, table, summary, run: dict) -> str:
    """The page, from a run's indicators (``table``), target ``summary`` and settings ``run``
    (as run.json holds them: replicates, seed, steps_per_year, seconds, zonesim_version)."""
    modelled = summary[summary["modelled"]] if len(summary) else summary
    forecasts = reading.forecasts(summary) if len(summary) else summary
    # the key targets are forecasts; a plan without any shows its other targets
    pool = forecasts if len(forecasts) else modelled
    key = key_targets(pool)
    body = [_plan(scenario, summary, run),
            "<h2>Reading for the planner</h2>\n"
            + blocks_html(reading.planner_reading(summary, scenario))]
    if len(modelled):
        body += [_targets(scenario, summary, run), _key(scenario, table, pool, key),
                 _held_back(scenario, table, summary, key)]
    body += [_not_modelled(summary), _assumptions(scenario, run),
             f"<footer>Written by zonesim {esc(__version__)} from the run's files; "
             "<code>zonesim brief FOLDER</code> writes it again from the folder.</footer>"]
    return document(f"{scenario.meta.title or scenario.name} — brief", "\n".join(body))


def write_brief(folder: str | Path, scenario: Scenario, table, summary, run: dict) -> Path:
    """Write :func:`brief_html` to ``folder``/brief.html, whole or not at all."""
    path = Path(folder) / FILE
    text = brief_html(scenario, table, summary, run)
    # written beside and renamed, so that a reader never sees half a page
    tmp = path.with_name(f".{FILE}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def brief_from_folder(folder: str | Path, scenario_file: str | Path | None = None) -> Path:
    """Write brief.html into the finished ``zonesim run`` folder ``folder``, read with
    :func:`zonesim.load`, and the scenario file its run.json names (or ``scenario_file``).
    A folder that is not a run's, or whose scenario file is missing or no longer has the run's
    targets, raises a :class:`ZonesimError` of one line."""
    folder = Path(folder)
    res = load(folder)
    if res.metadata["kind"] != "run":
        raise BriefError(f"{cut(folder, 200)}: holds a {res.metadata['kind']}, not a run; the "
                         "brief is written from the folder of `zonesim run`")
    settings = res.metadata["settings"]
    path = Path(scenario_file or settings.get("scenario_file") or "")
    if not path.is_file():
        whose = "" if scenario_file else f"{cut(folder, 200)}: the scenario file of its run, "
        raise BriefError(f"{whose}{cut(path, 200)}: not found"
                         + ("" if scenario_file else "; name it with --scenario FILE"))
    scenario = load_scenario(path)
    ran = set(res.outcomes["target"])
    if scenario.name != settings["scenario"] or ran != {t.id for t in scenario.modelled_targets}:
        raise BriefError(f"{cut(path, 200)}: not the scenario of the run in {cut(folder, 200)} "
                         f"(scenario {cut(settings['scenario'], 40)} with {len(ran)} modelled "
                         "targets): the file changed since the run (run it again) or another "
                         "file is meant (--scenario FILE)")
    summary = summarise(scenario, res.outcomes, met_at_start(scenario, res.series))
    return write_brief(folder, scenario, res.series, summary,
                       settings)


def key_targets(modelled, n: int = KEY_TARGETS) -> list[str]:
    """The ``n`` targets whose P(met) is closest to one half (ties: the less likely first), in
    the scenario's order: those the plan's outcome is most open on."""
    if modelled.empty:
        return []
    # rounded, so that 0.3 and 0.7 tie (their float distances to 0.5 differ in the last bit)
    d = modelled.assign(distance=(modelled["p_met"] - 0.5).abs().round(9))
    chosen = d.sort_values(["distance", "p_met"], kind="stable").head(n)["target"]
    return [t for t in modelled["target"] if t in set(chosen)]


def _varied(run: dict) -> str:
    """Which parameters the run drew, as its header said (a run of before issue 16 drew
    none)."""
    text = run.get("parameters_text") or "Parameters: the scenario's point values."
    return text.removeprefix("Parameters: ")


def _plan(scenario: Scenario, summary, run: dict) -> str:
    m = scenario.meta
    n_modelled = int(summary["modelled"].sum()) if len(summary) else 0
    document_ = f"{m.document_title} ({m.document})" if m.document_title else m.document
    rows = [("Region", m.region), ("Source document", document_),
            ("Horizon", f"{m.start_year}→{m.end_year}: from the state at the end of "
                        f"{m.start_year - 1} to the end of {m.end_year}, "
                        f"{run['steps_per_year']} steps a year"),
            ("Targets", f"{len(summary)} ({n_modelled} modelled, {len(summary) - n_modelled} "
                        "not modelled)"),
            ("Replicates and seed", f"{run['replicates']} replicates, seed {run['seed']} "
                                    f"({float(run['seconds']):.1f} s; zonesim "
                                    f"{run.get('zonesim_version', __version__)})"),
            ("Parameters", _varied(run)), ("Scenario file", scenario.path)]
    items = "\n".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    again = (f"zonesim run {scenario.path} --replicates {run['replicates']} "
             f"--seed {run['seed']}")
    description = f'<p class="note">{esc(m.description)}</p>' if m.description else ""
    return (f"<header><h1>{esc(m.title)}</h1><p class=\"sub\">What the simulation says about "
            f"the plan's targets: how likely each is met, and why not.</p></header>\n"
            f'<h2>The plan</h2>\n<dl id="plan">\n{items}\n</dl>\n{description}\n'
            f'<p class="note">The same run again: <code>{esc(again)}</code></p>')


def _targets(scenario: Scenario, summary, run: dict) -> str:
    """The bar chart of P(met) and the table of modelled targets."""
    tmap = {t.id: t for t in scenario.targets}
    rows = []
    for _, r in reading.verdicts(summary, scenario).iterrows():
        t = tmap[r["target"]]
        rows.append([
            verdict_badge(r["verdict"]),
            f"{esc(r['what'])}<br><span class=\"id\">{esc(r['where'])} · "
            f"<code>{esc(t.id)}</code></span><div class=\"clause\">{esc(t.clause)}</div>",
            esc(r["goal"]), esc(r["P(met) [95 % CI]"]),
            esc(r["simulated in the target year: median (5–95 %)"]),
            esc(r["first met (median year)"]), esc(r[reading.SPREAD])])
    headers = ["verdict", "target", "goal", "P(met) [95 % interval]",
               "simulated in the target year: median (5–95 %)", "first met", reading.SPREAD]
    rules = "; ".join(f"{v}: {VERDICT_RULE[v]}" for v in VERDICTS)
    fig = p_met_figure(summary, scenario, f"{figure_text(scenario.meta.title)}: probability of "
                       f"meeting each target ({run['replicates']} replicates)")
    return (
        f"<h2>Probability of meeting each target</h2>\n<p>The share of the {run['replicates']} "
        "replicates that meet each target in its target year(s), with its 95 % (Wilson) "
        "interval, widened where replicates share a draw of the parameters; the spread from "
        "the assumptions is the share of the simulated value's variance that the parameter "
        "draws make rather than chance (near 100 %: better knowledge of the assumptions would "
        f"narrow the answer). Verdicts: {esc(rules)}.</p>\n"
        + figure(fig, "probability of meeting each modelled target", id_="p-met")
        + table(headers, rows, id_="targets", numeric=headers[3:])
        + f'<p class="note">Simulated values are the indicator in the target year (the worst '
          "year for goals of several years; the worst zone for goals every zone must meet, or "
          "the zone at the share that must meet them); grey: targets that are not forecasts "
          "(the scenario sets the quantity, its start value was taken from the goal, or the "
          "number is the analyst's), which no count counts; "
          f"first met is the median year the goal was first met, {scenario.meta.start_year - 1}"
          " being the starting state; – never met.</p>")


def _fan(scenario: Scenario, table, t, summary_row, id_: str = "") -> str:
    fig = fan_figure(scenario, table, t)
    what = esc(target_label(t, scenario))
    if fig is None:
        ident = f' id="{esc(id_)}"' if id_ else ""
        return (f"<p{ident}><strong>{what}</strong>: the indicator is undefined in every "
                "replicate — no chart; the target counts as missed.</p>")
    caption = (f"{what} — P(met) {summary_row['p_met']:.2f}. Median, 25–75 % and 5–95 % of "
               "the replicates; red dashed: the goal, red dotted: the target year(s).")
    return figure(fig, f"fan chart of {target_label(t, scenario)}", caption, id_=id_)


def _key(scenario: Scenario, table, pool, key: list[str]) -> str:
    """Fan charts of the key targets, chosen among ``pool`` (the forecasts, or every modelled
    target of a plan without forecasts)."""
    tmap = {t.id: t for t in scenario.modelled_targets}
    rows = pool.set_index("target")
    which = ("forecast targets" if (pool["kind"] == "forecast").all() else
             "modelled targets (the plan has no forecast targets: none of these is one)")
    rule = (f"all the {which}" if len(key) == len(pool) else
            f"the {len(key)} {which} whose probability of being met is closest to one half — "
            "those the outcome is most open on (ties: the less likely first)")
    charts = "\n".join(_fan(scenario, table, tmap[k], rows.loc[k], id_=f"fan-{k}")
                       for k in key)
    return (f"<h2>Key targets over the years</h2>\n<p>The indicator of {esc(rule)}, "
            f"year by year, against the goal.</p>\n<div class=\"grid\">\n{charts}\n</div>")


def _held_back(scenario: Scenario, table, summary, key: list[str]) -> str:
    """The missed targets: one sentence each, each zone's value for goals every zone must meet,
    the fan charts not shown above, and how far off the missed and uncertain targets are."""
    missed = reading.held_back(summary, scenario, MISSED)
    head = (f"<h2>What held back the missed targets</h2>\n<p>Targets met in fewer than "
            f"{MISSED:.0%} of the replicates: the gap, and how often the goal was reached in "
            "some year.</p>\n")
    if not missed:
        return head + ("<p>None: every forecast target is met in at least half the "
                       "replicates.</p>" if len(reading.forecasts(summary)) else
                       "<p>The plan has no forecast targets; the others are listed above with "
                       "their kinds.</p>")
    items = "".join(f"<li>{runs_html(runs)}"
                    + (f' <a href="#fan-{esc(t.id)}">(chart above)</a>' if t.id in key else "")
                    + "</li>" for t, runs in missed)
    rows = summary.set_index("target")
    zones = []
    for t, _ in missed:
        if scopes.parse(t.scope).kind == "each_zone":
            fig = per_zone_figure(table, scenario, t)
            if fig is not None:
                zones.append(figure(fig, f"each zone's value for {target_label(t, scenario)}"))
    others = [_fan(scenario, table, t, rows.loc[t.id]) for t, _ in missed if t.id not in key]
    more = (f"<details><summary>Fan charts of the other {len(others)} missed targets</summary>"
            f"\n<div class=\"grid\">\n{''.join(others)}\n</div></details>" if others else "")
    zone_text = ("<h3>Goals every zone must meet: each zone's value</h3>\n"
                 "<p>Box = the replicates; the weakest zones at the bottom.</p>\n"
                 + "\n".join(zones) if zones else "")
    return (head + f'<ul id="held-back">{items}</ul>\n{zone_text}\n{more}\n'
            + _gaps(scenario, summary))


def _gaps(scenario: Scenario, summary) -> str:
    """How far off: the notebooks' gap table for the missed and uncertain targets."""
    g = reading.gap_table(summary, scenario)
    if g.empty:
        return ""
    rows = [[f"{esc(r['what'])}<br><span class=\"id\"><code>{esc(r['target'])}</code></span>",
             esc(r["goal"]), esc(r["simulated median"]), esc(num(r["median / goal"])),
             esc(num(r["growth: median − goal [points]"])), f"{r['p_met']:.2f}",
             f"{r['p_ever_met']:.2f}", esc(reading.first_met_text(r["median_first_met_year"]))]
            for _, r in g.iterrows()]
    headers = ["target", "goal", "simulated median", "median / goal",
               "growth: median − goal [points]", "P(met)", "P(met in some year)", "first met"]
    return (f"<h3>How far off: the targets with P(met) below {LIKELY}</h3>\n"
            + table(headers, rows, id_="gaps", numeric=headers[2:])
            + "<p class=\"note\">median / goal below 1: the typical replicate falls short by "
              "that fraction; growth goals: the simulated minus the required yearly growth, in "
              "percentage points.</p>")


def _not_modelled(summary) -> str:
    nm = summary[~summary["modelled"]] if len(summary) else summary
    if nm.empty:
        return ""
    rows = [[f"<code>{esc(r['target'])}</code><div class=\"clause\">{esc(r['clause'])}</div>",
             esc(r["reason"])] for _, r in nm.iterrows()]
    return (f"<h2>Targets not modelled ({len(nm)})</h2>\n<p>Targets of the plan the model does "
            "not represent, with the reason; they are in no count above.</p>\n"
            + table(["target (clause of the document)", "why not modelled"], rows,
                    id_="not-modelled"))


def _parameter_rows(scenario: Scenario, names) -> list[list[str]]:
    rows = []
    for name in names:
        p, prov = PARAMETERS[name], scenario.provenance(name)
        v = scenario.value(name)
        rng = (f"{num(prov['low'])} – {num(prov['high'])}"
               if prov["low"] is not None and prov["high"] is not None else "–")
        rows.append([f"{esc(p.meaning)}<br><span class=\"id\"><code>{esc(name)}</code>"
                     f"</span>", esc(v if isinstance(v, str) else num(v)), esc(p.unit),
                     esc(PROVENANCE[prov["provenance"]])
                     + ("" if name in scenario.parameters else "<br><span class=\"id\">"
                        "registry default</span>"),
                     esc(rng), f"<span class=\"clause\">{esc(prov['source'])}</span>"])
    return rows


def _assumptions(scenario: Scenario, run: dict) -> str:
    """The levers and assumptions the run used, with their provenance and range."""
    headers = ["parameter", "value", "unit", "provenance", "plausible range", "source"]
    levers = sorted((n for n, p in PARAMETERS.items() if p.kind == "lever"),
                    key=lambda n: n not in scenario.parameters)   # the scenario's first
    set_ = [n for n in scenario.parameters if PARAMETERS[n].kind != "lever"]
    defaults = [n for n, p in PARAMETERS.items()
                if p.kind not in ("lever", "fixed") and n not in scenario.parameters
                and p.provenance == "assumption"]
    events = "".join(f"<li>{e.year}: demand shock, revenue {math.expm1(e.size):+.0%} over the "
                     f"year ({esc(', '.join(e.sectors) or 'all sectors')}); "
                     f"{esc(PROVENANCE[e.provenance])}: {esc(e.source)}</li>"
                     for e in scenario.events)
    return (
        "<h2>Assumptions</h2>\n"
        f"<p><strong>What was varied:</strong> between the {run['replicates']} replicates "
        f"the random draws (replicate r draws from stream r of seed {run['seed']}) and "
        f"{esc(_varied(run))} The values below are the scenario's point values; the "
        "plausible ranges are the priors and what <code>zonesim sweep</code> and "
        "<code>zonesim sensitivity</code> vary.</p>\n"
        f"<h3>Policy levers ({len(levers)})</h3>\n"
        + table(headers, _parameter_rows(scenario, levers), id_="levers", numeric=["value"])
        + (f"<h3>Other values the scenario sets ({len(set_)})</h3>\n"
           + table(headers, _parameter_rows(scenario, set_), id_="scenario-values",
                   numeric=["value"]) if set_ else "")
        + (f"<h3>Events</h3>\n<ul>{events}</ul>\n" if events else "")
        + f"<details><summary>The other assumptions: {len(defaults)} registry defaults"
          "</summary>\n"
        + table(headers, _parameter_rows(scenario, defaults), id_="default-assumptions",
                numeric=["value"])
        + "</details>")
