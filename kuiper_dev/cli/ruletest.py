"""``kuiper-dev ruletest FILE... [--plugins DIR] [--check] [--report OUT.json]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..testing import load_case, run_case
from ._common import print_json, user_errors


def ruletest(
    files: Annotated[
        list[Path], typer.Argument(help="*.ruletest.json case files", exists=True, dir_okay=False)
    ],
    check: Annotated[
        bool, typer.Option("--check", help="exit 1 when emissions differ from 'expected'")
    ] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="write a JSON report here")
    ] = None,
    plugins: Annotated[
        Path | None,
        typer.Option(
            "--plugins",
            help="the plugins folder for cases without their own \"plugins\" key "
            "(default: the nearest plugins/ folder at or above each case file)",
        ),
    ] = None,
    portable: Annotated[
        bool,
        typer.Option(
            "--portable",
            help="run the plugins as one portable plugin in a process of their own, as "
            "eKuiper runs them once exported (the emissions must not change)",
        ),
    ] = False,
) -> None:
    """Run rule-test cases in virtual time; print one JSON line per sink emission.

    With several files, a header line "== FILE: case NAME" on stderr precedes each
    case's emissions (stdout stays pure JSON lines).

    Each case's plugins folder is, first found: the case's own "plugins" key,
    then --plugins, then the nearest plugins/ folder at or above the case file.
    """
    outcomes = []
    failed = False
    for path in files:
        with user_errors():
            case = load_case(path, plugins=plugins)
        for warning in case.warnings:
            typer.echo(f"warning: {warning}", err=True)
        if len(files) > 1:  # stdout stays JSON lines; stderr says whose they are
            typer.echo(f"== {path}: case {case.name!r}", err=True)
        outcome = run_case(case, portable=portable)
        outcomes.append(outcome)
        for emission in outcome.emissions:
            if isinstance(emission, str):  # a dataTemplate's text goes out as it is
                typer.echo(emission)
            else:
                print_json(emission)
        if outcome.error is not None:
            typer.echo(f"error: {path}: case {case.name!r}: {outcome.error}", err=True)
            failed = True
        elif check and outcome.passed is None:  # a misspelled key must never pass
            typer.echo(
                f"FAIL {path}: case {case.name!r} has no \"expected\" to check against; "
                "add it (see the warnings above for a misspelled key)",
                err=True,
            )
            failed = True
        elif check and outcome.passed is False:
            typer.echo(f"FAIL {path}: case {case.name!r}\n{outcome.diff}", err=True)
            failed = True
        elif check and outcome.passed:
            typer.echo(f"ok   {path}: case {case.name!r}", err=True)
    if report is not None:
        report.write_text(json.dumps([o.report() for o in outcomes], indent=2) + "\n")
    if failed:
        raise typer.Exit(1)
