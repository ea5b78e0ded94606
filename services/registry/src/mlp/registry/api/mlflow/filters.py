"""MLflow's search filter grammar, for the fields this registry supports.

``cond AND cond AND …`` where ``cond`` is ``<key> <op> <value>``: keys ``name``, ``tags.<k>`` (or
``tag.<k>``, with ``<k>`` plain or in backquotes), and for versions also ``version_number``,
``run_id``, ``source_path``; operators ``=``, ``!=``, ``LIKE``, ``ILIKE``, ``IN (…)`` where MLflow
allows them; values in single or double quotes (numbers bare for ``version_number``).
"""

from __future__ import annotations

import re

from mlp.registry.domain.model_queries import Condition
from mlp.registry.domain.models_errors import InvalidModelInput

MAX_FILTER = 4000
_TOKENS = re.compile(
    r"""\s*(?:
      (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<key>(?:`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)(?:\.(?:`[^`]+`|[A-Za-z_][A-Za-z0-9_]*))*)
    | (?P<number>-?\d+)
    | (?P<symbol>!=|=|\(|\)|,)
    )""",
    re.VERBOSE,
)
_STRING_OPS = ("=", "!=", "LIKE", "ILIKE")
MODEL_KEYS: dict[str, tuple[str, ...]] = {"name": _STRING_OPS, "tag": _STRING_OPS}
VERSION_KEYS: dict[str, tuple[str, ...]] = {
    **MODEL_KEYS,
    "version": ("=", "!=", "IN"),
    "run_id": ("=", "!=", "IN"),
    "source_path": _STRING_OPS,
}
_FIELD_NAMES = {"name": "name", "version_number": "version", "run_id": "run_id", "source_path": "source_path"}


def _invalid(detail: str) -> InvalidModelInput:
    return InvalidModelInput(detail, field="filter")


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKENS.match(text, position)
        if match is None or match.end() == position:
            raise _invalid(f"cannot parse the filter at character {position + 1}: {text[position : position + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _unquote(token: str) -> str:
    return re.sub(r"\\(.)", r"\1", token[1:-1])


def _field(key: str, allowed: dict[str, tuple[str, ...]]) -> tuple[str, str | None]:
    head, _, rest = key.partition(".")
    if head.lower() in ("tag", "tags") and rest:
        parts = re.findall(r"`([^`]+)`|([^.`]+)", rest)
        return "tag", ".".join(quoted or plain for quoted, plain in parts)
    field = _FIELD_NAMES.get(key.strip("`").lower())
    if field is None or field not in allowed:
        raise _invalid(f"invalid attribute key '{key}': supported are {', '.join(_supported(allowed))}")
    return field, None


def _supported(allowed: dict[str, tuple[str, ...]]) -> list[str]:
    names = {v: k for k, v in _FIELD_NAMES.items()}
    return [names.get(field, "tags.<key>") for field in allowed]


def parse_filter(text: str | None, allowed: dict[str, tuple[str, ...]]) -> tuple[Condition, ...]:
    """The conditions of an MLflow filter string (all must hold); ``InvalidModelInput`` if it is not one."""
    if text is None or not text.strip():
        return ()
    if len(text) > MAX_FILTER:
        raise _invalid(f"a filter has at most {MAX_FILTER} characters")
    tokens = _tokens(text)
    conditions, i = [], 0
    while True:
        condition, i = _condition(tokens, i, allowed)
        conditions.append(condition)
        if i == len(tokens):
            return tuple(conditions)
        if tokens[i][0] != "key" or tokens[i][1].upper() != "AND":
            raise _invalid(f"expected AND between conditions, found {tokens[i][1]!r}")
        i += 1


def _condition(tokens: list[tuple[str, str]], i: int, allowed: dict[str, tuple[str, ...]]) -> tuple[Condition, int]:
    if i + 1 >= len(tokens):
        raise _invalid("incomplete condition: expected <key> <operator> <value>")
    kind, key = tokens[i]
    if kind != "key":
        raise _invalid(f"expected an attribute key, found {key!r}")
    field, tag_key = _field(key, allowed)
    kind, op = tokens[i + 1]
    op = op.upper()
    if op not in allowed[field]:
        raise _invalid(f"operator {op!r} is not supported for '{key}': use one of {', '.join(allowed[field])}")
    if op == "IN":
        values, i = _value_list(tokens, i + 2, field)
        return Condition(field, "IN", values, key=tag_key), i
    return Condition(field, op, _value(tokens, i + 2, field), key=tag_key), i + 3  # type: ignore[arg-type]


def _value(tokens: list[tuple[str, str]], i: int, field: str) -> str:
    if i >= len(tokens):
        raise _invalid("incomplete condition: expected a value")
    kind, token = tokens[i]
    if field == "version" and kind in ("number", "string"):
        number = _unquote(token) if kind == "string" else token
        if not (number.isascii() and number.isdigit()) or not 0 < int(number) < 2**31:
            raise _invalid(f"version_number must be a positive integer, not {token}")
        return number
    if kind != "string":
        raise _invalid(f"expected a quoted value, found {token!r}")
    return _unquote(token)


def _value_list(tokens: list[tuple[str, str]], i: int, field: str) -> tuple[tuple[str, ...], int]:
    if i >= len(tokens) or tokens[i][1] != "(":
        raise _invalid("IN takes a parenthesised list of values")
    values, i = [], i + 1
    while True:
        values.append(_value(tokens, i, field))
        if i + 1 >= len(tokens):
            raise _invalid("unclosed list of values")
        if tokens[i + 1][1] == ")":
            return tuple(values), i + 2
        if tokens[i + 1][1] != ",":
            raise _invalid(f"expected ',' or ')' in a list of values, found {tokens[i + 1][1]!r}")
        i += 2
