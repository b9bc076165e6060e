"""Whether a DEFAULT expression is volatile: PostgreSQL 11+ adds a column with a non-volatile
default without touching the rows (the value is computed once and kept in the catalog), but a
volatile one must be computed for every row, which rewrites the table.

Only functions can make an expression volatile (operators, casts and SQL value functions such
as CURRENT_TIMESTAMP are stable or immutable for the built-in types). Since a function's
volatility lives in the catalog, a function is trusted only when it is on the list below or
was created STABLE or IMMUTABLE earlier in the same file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from migralint.sql.postgres.nodes import Node, string_value, unwrap, walk
from migralint.linter.parse import Statement

if TYPE_CHECKING:
    from migralint.linter.context import Context

# Built-in functions that are volatile, so that a message can say "is volatile" outright.
KNOWN_VOLATILE = frozenset(
    """random random_normal setseed gen_random_uuid uuidv4 uuidv7 uuid_generate_v1
    uuid_generate_v1mc uuid_generate_v4 clock_timestamp timeofday nextval setval currval lastval
    txid_current txid_current_if_assigned pg_current_xact_id gen_random_bytes gen_salt""".split()
)

# Built-in (and common extension) functions that are STABLE or IMMUTABLE.
KNOWN_NON_VOLATILE = frozenset(
    """now statement_timestamp transaction_timestamp timezone date_trunc date_part extract
    make_date make_time make_timestamp make_timestamptz make_interval to_char to_date
    to_timestamp to_number age justify_days justify_hours justify_interval
    lower upper initcap concat concat_ws length char_length octet_length btrim ltrim rtrim
    replace substring substr left right lpad rpad repeat reverse md5 sha224 sha256 sha384
    sha512 encode decode format quote_ident quote_literal split_part translate chr ascii
    abs round floor ceil ceiling trunc power sqrt mod sign div
    json_build_object jsonb_build_object json_build_array jsonb_build_array json_object
    jsonb_object to_json to_jsonb array_to_json row_to_json array_fill array_append
    array_prepend array_cat array_length string_to_array array_to_string cardinality
    int4range int8range numrange tsrange tstzrange daterange
    to_tsvector to_tsquery plainto_tsquery
    current_setting current_database current_schema current_schemas version
    uuid_nil uuid_ns_dns uuid_ns_url uuid_ns_oid uuid_ns_x500 uuid_generate_v3 uuid_generate_v5
    bool int2 int4 int8 float4 float8 numeric text""".split()
)


def function_name(func_call: Node) -> str:
    """A FuncCall's name, lower case, without a pg_catalog prefix."""
    names = [string_value(n) for n in func_call.get("funcname", [])]
    if len(names) == 2 and names[0] == "pg_catalog":
        names = names[1:]
    return ".".join(names).lower()


def non_volatile_functions(statements: Iterable[Statement]) -> frozenset[str]:
    """Names of the functions that `statements` create STABLE or IMMUTABLE."""
    found: set[str] = set()
    for statement in statements:
        if statement.kind == "CreateFunctionStmt":
            # A fact of the statement: every ADD COLUMN ... DEFAULT asks it of all earlier ones.
            found.update(statement.fact(_non_volatile_names))
    return frozenset(found)


def _non_volatile_names(statement: Statement) -> tuple[str, ...]:
    found: list[str] = []
    for option in statement.node.get("options", []):
        body = unwrap(option)[1]
        if body.get("defname") == "volatility" and string_value(body.get("arg", {})) in ("stable", "immutable"):
            names = [string_value(n) for n in statement.node.get("funcname", [])]
            found += [names[-1].lower(), ".".join(names).lower()]
    return tuple(found)


def volatile_function(expression: Node, trusted: frozenset[str] = frozenset()) -> str | None:
    """The name of the first function in `expression` not known to be stable or immutable.

    `trusted`: further function names known not to be volatile (see `non_volatile_functions`).
    """
    if len(expression) == 1 and ("A_Const" in expression or "SQLValueFunction" in expression):
        # Nineteen defaults in twenty over the Prisma corpus: a constant, or CURRENT_TIMESTAMP and
        # the like, nodes that hold no other node, so no call; answered without a walk.
        return None
    for kind, body in walk(expression):
        if kind != "FuncCall":
            continue
        name = function_name(body)
        if name in KNOWN_VOLATILE or (name not in KNOWN_NON_VOLATILE and name not in trusted):
            return name
    return None


def volatile_function_here(expression: Node, ctx: Context) -> str | None:
    """volatile_function, trusting the functions the file created STABLE or IMMUTABLE before
    the current statement (see volatile_function_trusting)."""
    return volatile_function_trusting(expression, lambda: non_volatile_functions(ctx.earlier))


def volatile_function_trusting(expression: Node, trusted: Callable[[], frozenset[str]]) -> str | None:
    """volatile_function, trusting the names `trusted()` gives, which is asked only when the
    expression calls a function known neither way: gathered for every default, the file's
    functions were searched for in every earlier statement, quadratic in a file's statements,
    and nineteen defaults in twenty (a constant, CURRENT_TIMESTAMP) call no function at all. The
    answer is the same: a function on KNOWN_VOLATILE is returned whatever is trusted, and the
    functions before it in the expression are trusted both times."""
    function = volatile_function(expression)
    if function is None or function in KNOWN_VOLATILE:
        return function
    return volatile_function(expression, trusted())


def is_null_constant(expression: Node) -> bool:
    """NULL, or NULL cast to some type: a default that changes nothing."""
    kind, body = unwrap(expression)
    if kind == "TypeCast":
        return is_null_constant(body.get("arg", {}))
    return kind == "A_Const" and bool(body.get("isnull"))
