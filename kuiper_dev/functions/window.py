"""Window functions (``window_functions.md``): ``row_number``.

eKuiper does not evaluate ``row_number()`` as an expression: its window-function
operator numbers the rows of each emitted result (1, 2, ... per window or, for a
non-window rule, 1 for each message). The engine must do the same; the function
registered here is what it calls per row with the 0-based position it assigns.
"""

from __future__ import annotations

from typing import Any

from ..errors import FunctionError
from .registry import builtin


@builtin("window", [], null="pass", kind="window", row_index_arg=True)
def row_number(*position: Any) -> int:
    """1-based number of the row in its result set; the engine passes the 0-based index."""
    if len(position) != 1 or type(position[0]) is not int:
        raise FunctionError("row_number() is numbered by the engine's window-function operator")
    return position[0] + 1
