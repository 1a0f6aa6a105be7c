"""``kuiper-dev test function|source|sink NAME``: a plugin's contract, checked by Hypothesis."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, cast

import typer

from .._types import PluginKind
from ..testing import check_plugin, load_profile_from_env
from ._common import DEFAULT_PLUGINS, PluginsOpt, user_errors, workspace

_TESTABLE = ("function", "source", "sink")


def test(
    kind: Annotated[str, typer.Argument(help="function, source or sink")],
    name: Annotated[str, typer.Argument(help="the plugin (or plugin function) name")],
    plugins: PluginsOpt = DEFAULT_PLUGINS,
    max_examples: Annotated[
        int | None, typer.Option("--max-examples", min=1, help="examples per law")
    ] = None,
    nondeterministic: Annotated[
        bool, typer.Option("--nondeterministic", help="function: may answer differently")
    ] = False,
    order_dependent: Annotated[
        bool, typer.Option("--order-dependent", help="aggregate: may depend on row order")
    ] = False,
    regressions: Annotated[
        Path | None,
        typer.Option("--regressions", help="where shrunk failures go (default tests/regressions)"),
    ] = None,
) -> None:
    """Check a plugin's contract; exit 1 on a broken law, its shrunk case written as a regression.

    The Hypothesis profile comes from HYPOTHESIS_PROFILE (ci or dev) when set.
    """
    if kind not in _TESTABLE:
        raise typer.BadParameter(f"{kind!r} cannot be tested; use one of {', '.join(_TESTABLE)}")
    load_profile_from_env()
    options: dict[str, Any] = {"regressions": regressions}
    if max_examples is not None:
        options["max_examples"] = max_examples
    if kind == "function":
        options.update(deterministic=not nondeterministic, order_dependent=order_dependent)
    elif nondeterministic or order_dependent:
        raise typer.BadParameter("--nondeterministic and --order-dependent are for functions")
    with user_errors():
        report = check_plugin(workspace(plugins), name, cast(PluginKind, kind), **options)
    typer.echo(report.summary())
    for failure in report.failures:
        typer.echo(f"FAIL {failure}", err=True)
    if not report.ok:
        raise typer.Exit(1)
