"""Expressions of eKuiper SQL (``internal/xsql/parser.go`` ``ParseExpr`` and friends).

Precedence climbing gives the same trees as eKuiper's right-spine insertion: an
operator's right operand is its first operand (a unary, a value set, a JSON key,
a BETWEEN range) followed by any operators that bind tighter.
"""

from __future__ import annotations

from ..errors import SqlError
from . import ast
from ._base import ParserBase
from ._funcs import ANALYTIC_FUNCS, COLS_FUNCS, META_FUNCS, WINDOW_FUNCS, is_window_call
from .like import like_error
from .tokens import PRECEDENCE, TIME_UNITS, T, Token, quote
from .windows import build_window

__all__ = ["ExprParser"]

_FIELD_PREFIX = "kuiper_field_"
_BOOLEAN_OPS = frozenset(
    {"AND", "OR", "=", "!=", "<", "<=", ">", ">=", "BETWEEN", "NOT BETWEEN", "IN", "NOT IN"}
    | {"LIKE", "NOT LIKE"}
)


def _is_boolean(expr: ast.Expr) -> bool:
    # eKuiper's ast.IsBooleanArg: a parenthesised condition does not count
    if isinstance(expr, ast.BooleanLiteral):
        return True
    return isinstance(expr, ast.BinaryExpr) and expr.op in _BOOLEAN_OPS


def _token_name(tok: Token) -> str:
    # some eKuiper messages print a token by kind (Go's Token.String()), not by
    # its text: a name shows as IDENT, a number as INTEGER
    if tok.kind in (T.KEYWORD, T.OP, T.EOF) or tok.kind.value in "()[],.;:":
        return tok.describe().upper()
    return {T.IDENT: "IDENT", T.INTEGER: "INTEGER", T.NUMBER: "NUMBER"}.get(tok.kind, "STRING")


class ExprParser(ParserBase):
    """One ``_parse_<construct>`` per expression rule."""

    # -- operators -----------------------------------------------------------------
    def _binary_op(self) -> str | None:
        tok = self.tok
        if tok.kind is T.OP and tok.value in PRECEDENCE:
            return tok.value
        if tok.kind is T.LBRACKET:
            return "["
        if tok.kind is T.DOT:
            return "."
        if tok.kind is T.KEYWORD:
            word = tok.value.upper()
            if word in ("AND", "OR", "IN", "BETWEEN", "LIKE"):
                return word
            if word == "NOT":
                nxt = self._peek()
                if nxt.is_keyword("IN", "BETWEEN", "LIKE"):
                    return "NOT " + nxt.value.upper()
                raise self._error(f"found {quote(nxt.describe())}, expected expression", nxt)
        return None

    def _parse_expr(self, min_prec: int = 1, first: ast.Expr | None = None) -> ast.Expr:
        lhs = self._parse_unary() if first is None else first
        while (op := self._binary_op()) is not None and PRECEDENCE[op] >= min_prec:
            prec = PRECEDENCE[op]
            if op == "[":
                lhs = self._parse_bracket(lhs)
                continue
            self._next()
            if op.startswith("NOT "):
                self._next()
            head: ast.Expr
            if op.endswith("BETWEEN"):
                head = self._parse_between()
            elif op.endswith("IN"):
                head = self._parse_value_set()
            elif op in ("->", "."):
                head = self._parse_unary(sub_field=True)
                op = "->"
            else:
                head = self._parse_unary()
            if op.endswith("LIKE") and isinstance(head, ast.StringLiteral):
                problem = like_error(head.value)
                if problem is not None:
                    raise self._error(problem, self.tokens[self.i - 1])
            lhs = ast.BinaryExpr(op, lhs, self._parse_expr(prec + 1, head), pos=lhs.pos)
        return lhs

    def _parse_between(self) -> ast.BetweenExpr:
        lower = self._parse_unary()
        if not self.tok.is_keyword("AND"):
            raise self._error(
                f"expect AND expression after between but found {_token_name(self.tok)}"
            )
        self._next()
        return ast.BetweenExpr(lower, self._parse_unary(), pos=lower.pos)

    def _parse_value_set(self) -> ast.Expr:
        if not self._at(T.LPAREN):
            start = self.tok
            try:
                return self._parse_unary()
            except SqlError as exc:
                raise self._error(
                    f"expect expression after IN, but got error {exc.message}", start
                ) from None
        lparen = self._next()
        items: list[ast.Expr] = []
        while True:
            start = self.tok
            try:
                items.append(self._parse_expr())
            except SqlError as exc:
                raise self._error(
                    f"expect elements for IN expression, but {exc.message}", start
                ) from None
            if not self._at(T.COMMA):
                break
            self._next()
        if not self._at(T.RPAREN):
            raise self._error(f"expect ) for IN expression, but got {quote(self.tok.describe())}")
        self._next()
        return ast.ValueSet(tuple(items), pos=self._pos(lparen))

    # -- operands ------------------------------------------------------------------
    def _parse_unary(self, sub_field: bool = False) -> ast.Expr:
        tok = self._next()
        at = self._pos(tok)
        if tok.kind is T.LPAREN:
            inner = self._parse_expr()
            if not self._at(T.RPAREN):
                raise self._found("right paren")
            self._next()
            return ast.ParenExpr(inner, pos=at)
        if tok.kind is T.OP and tok.value == "-" and self.tok.kind in (T.INTEGER, T.NUMBER):
            return self._number(self._next(), negative=True, at=at)
        if tok.kind in (T.INTEGER, T.NUMBER):
            return self._number(tok, at=at)
        if tok.kind is T.STRING:
            return ast.StringLiteral(tok.value, pos=at)
        if tok.is_keyword("TRUE", "FALSE"):
            return ast.BooleanLiteral(tok.value.upper() == "TRUE", pos=at)
        if tok.kind is T.KEYWORD and tok.value.upper() in TIME_UNITS:
            return ast.TimeLiteral(tok.value.upper(), pos=at)  # type: ignore[arg-type]
        if tok.is_keyword("CASE"):
            return self._parse_case(at)
        if tok.kind is T.OP and tok.value == "*":
            return self._parse_wildcard(at)
        if tok.kind is T.IDENT:
            if self._at(T.LPAREN):
                call = self._parse_call(tok)
                if isinstance(call, ast.Window):
                    raise self._error(
                        f"window function {tok.value} can only be used in the GROUP BY clause; "
                        "move it there",
                        tok,
                    )
                return call
            return self._parse_field_name(tok, sub_field)
        raise self._found("expression", tok)

    def _parse_field_name(self, tok: Token, sub_field: bool) -> ast.Expr:
        at = self._pos(tok)
        if sub_field:
            return ast.JsonFieldRef(tok.value, pos=at)
        if not self._at(T.DOT):
            return ast.FieldRef(tok.value, pos=at)
        self._next()
        second = self.tok
        if second.kind is T.IDENT:
            self._next()
            return ast.FieldRef(second.value, stream=tok.value, pos=at)
        if second.kind is T.OP and second.value == "*":
            self._next()
            return ast.Wildcard(stream=tok.value, pos=at)
        # eKuiper drops a dot that no name follows ("a. FROM s" reads as "a")
        return ast.FieldRef(tok.value, pos=at)

    def _number(self, tok: Token, *, at: ast.Pos, negative: bool = False) -> ast.Expr:
        text = ("-" if negative else "") + tok.value
        if tok.kind is T.INTEGER:
            return ast.IntegerLiteral(int(text), pos=at)
        try:
            return ast.NumberLiteral(float(text), pos=at)
        except ValueError:
            raise self._error(f"found {quote(text)}, invalid number value.", tok) from None

    def _parse_wildcard(self, at: ast.Pos) -> ast.Expr:
        if self.in_func in META_FUNCS:
            if self.tok.is_keyword("EXCEPT", "REPLACE"):
                raise self._error(f"{quote(self.tok.describe())} is not supported in meta function")
            return ast.Wildcard(pos=at)
        except_: tuple[str, ...] = ()
        replace: tuple[ast.Field, ...] = ()
        while self.tok.is_keyword("EXCEPT", "REPLACE"):
            word = self._next().value.upper()
            if not self._at(T.LPAREN):
                raise self._error(
                    f"Found {quote(self.tok.describe())} after {word}, expect left parentheses."
                )
            self._next()
            if word == "EXCEPT":
                except_ = self._parse_except_names()
            else:
                replace = self._parse_replace_fields()
        return ast.Wildcard(except_, replace, pos=at)

    def _parse_except_names(self) -> tuple[str, ...]:
        names: list[str] = []
        while not self._at(T.RPAREN):
            tok = self._next()
            if tok.kind is T.IDENT:
                names.append(tok.value)
            elif tok.kind is not T.COMMA:
                raise self._error(f"Found {quote(tok.describe())} in EXCEPT", tok)
        self._next()
        return tuple(names)

    def _parse_replace_fields(self) -> tuple[ast.Field, ...]:
        fields = [self._parse_field()]
        while not self._at(T.RPAREN):
            if not self._at(T.COMMA):
                raise self._error(f"Found {quote(self.tok.describe())} in REPLACE")
            self._next()
            fields.append(self._parse_field())
        self._next()
        return tuple(fields)

    def _parse_field(self) -> ast.Field:
        start = self.tok
        expr = self._parse_expr()
        alias = None
        if self.tok.is_keyword("AS"):
            self._next()
            alias = self._expect(T.IDENT, "as alias").value
        name = ""
        if isinstance(expr, ast.FieldRef | ast.Call):
            name = expr.name
        elif isinstance(expr, ast.Wildcard):
            name = "*"
        if alias is not None and name == "*":
            raise self._error("alias is not supported for *", start)
        if alias is not None:
            name = alias
        elif not name:
            name = f"{_FIELD_PREFIX}{self.unnamed}"
            self.unnamed += 1
        invisible = self.tok.is_keyword("INVISIBLE")
        if invisible:
            self._next()
        return ast.Field(expr, name, alias, invisible, pos=self._pos(start))

    # -- [index] and [start:end] -----------------------------------------------------
    def _take_integer(self) -> ast.IntegerLiteral | None:
        at = self._pos(self.tok)
        if self._at(T.INTEGER):
            return ast.IntegerLiteral(int(self._next().value), pos=at)
        if self._at_op("-") and self._peek().kind is T.INTEGER:
            self._next()
            return ast.IntegerLiteral(-int(self._next().value), pos=at)
        return None

    def _parse_bracket(self, lhs: ast.Expr) -> ast.Expr:
        self._next()  # [
        first = self.tok
        if self._at(T.RBRACKET):
            self._next()
            return ast.SliceExpr(lhs, pos=lhs.pos)
        number = self._take_integer()
        if number is not None:
            if self._at(T.RBRACKET):
                self._next()
                return ast.IndexExpr(lhs, number, pos=lhs.pos)
            if self._at(T.COLON):
                self._next()
                return self._parse_slice_end(lhs, number)
            raise self._error(
                f"Unexpected token {quote(str(number.value))}. when parsing bracket expressions.",
                first,
            )
        if self._at(T.COLON):
            self._next()
            return self._parse_slice_end(lhs, None)
        try:
            start = self._parse_expr()
        except SqlError:
            raise self._error(
                f"The start index {first.describe()} is invalid in bracket expression.", first
            ) from None
        if self._at(T.RBRACKET):
            self._next()
            return ast.IndexExpr(lhs, start, pos=lhs.pos)
        if self._at(T.COLON):
            self._next()
            return self._parse_slice_end(lhs, start)
        raise self._error(
            f"Unexpected token {quote(first.describe())}. when parsing bracket expressions.", first
        )

    def _parse_slice_end(self, lhs: ast.Expr, start: ast.Expr | None) -> ast.Expr:
        first = self.tok
        end: ast.Expr | None = self._take_integer()
        if end is None:
            if self._at(T.RBRACKET):
                self._next()
                return ast.SliceExpr(lhs, start, None, pos=lhs.pos)
            try:
                end = self._parse_expr()
            except SqlError:
                raise self._error(
                    f"The end index {first.describe()} is invalid in bracket expression.", first
                ) from None
        if not self._at(T.RBRACKET):
            raise self._error(f"Found {quote(self.tok.describe())}, expected right bracket.")
        self._next()
        return ast.SliceExpr(lhs, start, end, pos=lhs.pos)

    # -- CASE ------------------------------------------------------------------------
    def _parse_case(self, at: ast.Pos) -> ast.CaseExpr:
        value = None if self.tok.is_keyword("WHEN") else self._parse_expr()
        whens: list[ast.WhenClause] = []
        else_: ast.Expr | None = None
        while True:
            tok = self._next()
            if tok.is_keyword("WHEN"):
                cond = self._parse_expr()
                if value is None and not _is_boolean(cond):
                    raise self._error(
                        "invalid CASE expression, WHEN expression must be a bool condition", tok
                    )
                if not self.tok.is_keyword("THEN"):
                    raise self._error("invalid CASE expression, THEN expected after WHEN")
                self._next()
                whens.append(ast.WhenClause(cond, self._parse_expr(), pos=self._pos(tok)))
            elif tok.is_keyword("ELSE"):
                if not whens:
                    raise self._error("invalid CASE expression, WHEN expected before ELSE", tok)
                else_ = self._parse_expr()
            elif tok.is_keyword("END"):
                if not whens:
                    raise self._error("invalid CASE expression, WHEN expected before END", tok)
                return ast.CaseExpr(value, tuple(whens), else_, pos=at)
            else:
                raise self._error("invalid CASE expression, END expected", tok)

    # -- calls -----------------------------------------------------------------------
    def _parse_call(self, name_tok: Token) -> ast.Call | ast.Window:
        name = name_tok.value
        lower = name.lower()
        if lower in COLS_FUNCS and self.clause != "select":
            raise self._error(
                f"function {lower} can only be used inside the select clause", name_tok
            )
        self._expect(T.LPAREN, "(")
        outer, self.in_func = self.in_func, lower
        try:
            args = self._parse_args(name)
        finally:
            self.in_func = outer
        call = ast.Call(name, tuple(args), pos=self._pos(name_tok))
        if is_window_call(lower):
            window = build_window(call)
            if isinstance(window, str):
                raise self._error(window, name_tok)
            return self._parse_window_clauses(window)
        if lower == "dedup_trigger":
            self._check_dedup_trigger(call, name_tok)
        return self._parse_over(call, name_tok)

    def _parse_args(self, name: str) -> list[ast.Expr]:
        args: list[ast.Expr] = []
        while not self._at(T.RPAREN):
            args.append(self._parse_expr())
            if self._at(T.COMMA):
                self._next()
            elif not self._at(T.RPAREN):
                raise self._error(
                    f"found function call {quote(name)}, expected ), but with {quote(self.tok.describe())}."
                )
        self._next()
        return args

    def _check_dedup_trigger(self, call: ast.Call, tok: Token) -> None:
        if len(call.args) != 4:
            raise self._error("dedup_trigger function should have 4 arguments", tok)
        for i, arg in enumerate(call.args[:3], start=1):
            if not isinstance(arg, ast.FieldRef):
                raise self._error(
                    f"dedup_trigger function should have fieldRef as the {i} argument", tok
                )
        if not isinstance(call.args[3], ast.IntegerLiteral):
            raise self._error(
                "dedup_trigger function should have integer as the fourth argument", tok
            )

    def _parse_over(self, call: ast.Call, name_tok: Token) -> ast.Call:
        if not self.tok.is_keyword("OVER"):
            return call
        lower = call.name.lower()
        if lower not in ANALYTIC_FUNCS and lower not in WINDOW_FUNCS:
            raise self._error(f"Found OVER after non analytic function {call.name}")
        self._next()
        if not self._at(T.LPAREN):
            raise self._error(
                f"Found {quote(_token_name(self.tok))} after OVER, expect parentheses."
            )
        self._next()
        partition = self._parse_partition_by()
        order_by: tuple[ast.SortField, ...] = ()
        if lower in WINDOW_FUNCS:
            order_by = self._parse_order_by()
        when = None
        if lower in ANALYTIC_FUNCS and self.tok.is_keyword("WHEN"):
            self._next()
            when = self._parse_expr()
        if not partition and not order_by and when is None:
            raise self._error(
                f"Found {quote(_token_name(self.tok))} after OVER (, expect partition by or when."
            )
        if not self._at(T.RPAREN):
            raise self._error(
                f"Found {quote(_token_name(self.tok))}, expect right parentheses after OVER "
            )
        self._next()
        return ast.Call(call.name, call.args, partition, when, order_by, pos=call.pos)

    def _parse_partition_by(self) -> tuple[ast.Expr, ...]:
        if not self.tok.is_keyword("PARTITION"):
            return ()
        self._next()
        if not self.tok.is_keyword("BY"):
            raise self._found("by after partition")
        self._next()
        exprs = [self._parse_expr()]
        while self._at(T.COMMA):
            self._next()
            exprs.append(self._parse_expr())
        return tuple(exprs)

    def _parse_order_by(self) -> tuple[ast.SortField, ...]:
        if not self.tok.is_keyword("ORDER"):
            return ()
        self._next()
        if not self.tok.is_keyword("BY"):
            raise self._found("BY keyword")
        self._next()
        sorts: list[ast.SortField] = []
        # eKuiper: each sort key starts with a name; commas are optional separators
        while True:
            if self._at(T.IDENT):
                expr = self._parse_expr()
                ascending = True
                if self.tok.is_keyword("DESC", "ASC"):
                    ascending = self._next().value.upper() == "ASC"
                sorts.append(ast.SortField(expr, ascending, pos=expr.pos))
            elif self._at(T.COMMA):
                self._next()
            else:
                return tuple(sorts)

    def _parse_window_clauses(self, window: ast.Window) -> ast.Window:
        filter_ = None
        if self.tok.is_keyword("FILTER"):
            self._next()
            if not self._at(T.LPAREN):
                raise self._error(
                    f"Found {quote(self.tok.describe())} after FILTER, expect parentheses."
                )
            self._next()
            if not self.tok.is_keyword("WHERE"):
                raise self._error(
                    f"Found {quote(self.tok.describe())} after FILTER(, expect WHERE."
                )
            self._next()
            filter_ = self._parse_expr()
            if not self._at(T.RPAREN):
                raise self._error(
                    f"Found {quote(self.tok.describe())} after FILTER, expect right parentheses."
                )
            self._next()
        trigger = None
        partition: tuple[ast.Expr, ...] = ()
        if self.tok.is_keyword("OVER"):
            self._next()
            if not self._at(T.LPAREN):
                raise self._error(
                    f"Found {quote(self.tok.describe())} after OVER, expect parentheses."
                )
            self._next()
            if self.tok.is_keyword("WHEN"):
                self._next()
                trigger = self._parse_expr()
            partition = self._parse_partition_by()
            if not self._at(T.RPAREN):
                raise self._error(
                    f"Found {quote(self.tok.describe())} after OVER, expect right parentheses."
                )
            self._next()
        return ast.Window(
            window.kind,
            window.unit,
            window.length,
            window.interval,
            window.begin,
            window.end,
            filter_,
            trigger,
            partition,
            window.raw,
            pos=window.pos,
        )
