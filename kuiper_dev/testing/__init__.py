"""Testing tools for plugin authors: rule-test cases, the pytest plugin, Hypothesis
strategies, plugin contracts and rule-level laws.

``check_plugin(ws, kind, name)`` is the one call that ``kuiper-dev test`` and the
notebook's ``%kuiper test`` make.
"""

from __future__ import annotations

from ._report import ContractFailure, ContractReport
from .contracts import check_function, check_plugin
from .laws import agrees_with_reference, filter_is_subset, run_timed, tumbling_partition
from .lifecycle import check_sink, check_source, replay_contract
from .profiles import PROFILES, load_profile_from_env
from .regressions import REGRESSIONS_DIR, function_case, write_case
from .ruletest import CaseOutcome, RuleTestCase, load_case, run_case
from .strategies import (
    TimedRow,
    function_args,
    json_values,
    metadata_arg_types,
    rows_from_ddl,
    rows_from_recording,
    timed_rows,
    values_of,
)

__all__ = [
    "CaseOutcome",
    "ContractFailure",
    "ContractReport",
    "PROFILES",
    "REGRESSIONS_DIR",
    "RuleTestCase",
    "TimedRow",
    "agrees_with_reference",
    "check_function",
    "check_plugin",
    "check_sink",
    "check_source",
    "filter_is_subset",
    "function_args",
    "function_case",
    "json_values",
    "load_case",
    "load_profile_from_env",
    "metadata_arg_types",
    "replay_contract",
    "rows_from_ddl",
    "rows_from_recording",
    "run_case",
    "run_timed",
    "timed_rows",
    "tumbling_partition",
    "values_of",
    "write_case",
]
