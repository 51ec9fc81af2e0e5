"""A card's YAML: the front matter, loaded safely and within limits, and where each key is.

Loading is bounded: aliases are counted and the size they expand to is measured on the node
graph before anything is built (a 359-byte alias bomb used to take 28 s and 877 MB), and so is
nesting. A value that YAML's constructors cannot build (`!!int abc`, `!!timestamp 2024-02-30`,
a level of 5,000 digits) becomes an `Unreadable` value that validation reports at its key,
rather than an exception that loses the card or the site. Keys written twice in one mapping
are listed under `fields.DUPLICATES`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from .border import excerpt
from .kinds import DUPLICATES, RAW, DuplicateKeys, Unreadable

try:  # the C loader parses a card revision in about a tenth of a millisecond
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_ALIASES = 100
"""The most aliases (`*name`) in one card."""
MAX_NODES = 20_000
"""The most values a card's YAML may hold once its aliases are expanded."""
MAX_DEPTH = 32
"""The deepest nesting of mappings and lists."""

_MERGE = "tag:yaml.org,2002:merge"


class _Loader(_BaseLoader):
    """The safe loader, with dates left as text (so `Date` can report a bad one with its line),
    duplicate keys noted, and unbuildable scalars kept as `Unreadable`."""

    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML's own class-level registry
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):  # `!!set abc`: YAML's own error says so
            return super().construct_mapping(node, deep=deep)  # type: ignore[arg-type]
        seen: set[tuple[str, str]] = set()
        duplicates = DuplicateKeys()
        for key, _ in node.value:  # before merge keys (`<<`) are flattened into the mapping
            if isinstance(key, yaml.ScalarNode) and key.tag != _MERGE:
                if (key.tag, key.value) in seen:
                    duplicates.append(key.value)
                seen.add((key.tag, key.value))
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        if duplicates:
            mapping[DUPLICATES] = duplicates
        return mapping


def _guarded(constructor: Any) -> Any:
    """A scalar constructor whose failure becomes an `Unreadable` value, not an exception."""

    def construct(loader: _Loader, node: yaml.ScalarNode) -> Any:
        try:
            return constructor(loader, node)
        except yaml.YAMLError:
            raise
        except Exception as error:  # any constructor's failure is this value's, not the site's
            return Unreadable(node.tag, str(node.value), str(error))

    return construct


# Only the scalar constructors that can fail are wrapped (`!!int abc`, `!!bool maybe`,
# `!!timestamp 2024-02-30`, a number of 5,000 digits): wrapping every node cost 10% of a parse.
for _tag in ("null", "bool", "int", "float", "binary", "timestamp"):
    _name = f"tag:yaml.org,2002:{_tag}"
    _Loader.add_constructor(_name, _guarded(_BaseLoader.yaml_constructors[_name]))


class LimitError(yaml.YAMLError):
    """The YAML exceeds one of the limits; the message and the fix say which, and what to do."""

    def __init__(self, message: str, fix: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.fix, self.line = message, fix, line


_OPENING = re.compile(r"---[ \t]*\r?\n")
_CLOSING = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split `---`-fenced YAML front matter from the body: (yaml, body, first yaml line).

    Two searches rather than one lazy pattern: that one scanned every character of the card
    with an alternation, the largest single cost of reading a history's revisions.
    """
    text = text.removeprefix("\ufeff")
    opening = _OPENING.match(text)
    if opening is None:
        return None
    closing = _CLOSING.search(text, opening.end())
    if closing is None:
        return None
    return text[opening.end() : closing.start()], text[closing.end() :], 2


# A top-level key at the start of a line, and an item of a block sequence.
_TOP_KEY = re.compile(r"^(?=[A-Za-z_][\w-]*:(?:[ \t]|$))", re.M)
_ITEM = re.compile(r"^(?=[ \t]*- )", re.M)
# Shapes that can nest deeply (eight `- `, `? ` or `: ` in a row, or a deep indentation); the
# exact check runs only when one is there. Anchored at a separator, so the search is linear.
_DEEP = re.compile(r"[-?:][ \t](?:[ \t]*[-?:][ \t]){7}|\n[ \t]{48}")


def _may_nest_deeply(source: str) -> bool:
    """Whether block nesting could pass `MAX_DEPTH`: a deep indent, or many `- `/`? ` in a row.

    Substring tests first (in C, most cards pass them), the pattern only when one hits."""
    if "- -" not in source and "? " not in source and "\n" + " " * 48 not in source:
        return False
    return _DEEP.search(source) is not None


def load_yaml(source: str) -> Any:
    """`yaml.load` with the safe loader, within the limits, memoised by block.

    The revisions of a card share most of their front matter: a new revision changes a line or
    appends a review. So each top-level `key:` block, and each item of a top-level list, is
    parsed once per distinct text. Anything unusual (anchors and aliases, a first line that is
    not a key, a block that is not one `key: value`) is parsed whole instead, as is any error,
    so that its message and line are YAML's own. Top-level keys given twice are listed under
    `DUPLICATES`, as the loader lists them within a mapping.

    Raises:
        yaml.YAMLError: not valid YAML, or over a limit (`LimitError`).
    """
    aliased = "&" in source or "*" in source
    if aliased or source.count("[") + source.count("{") > MAX_DEPTH or _may_nest_deeply(source):
        check_limits(source)
    blocks = _TOP_KEY.split(source)
    preamble = [line for line in blocks[0].splitlines() if line.strip()]
    if aliased or any(not p.lstrip().startswith("#") for p in preamble):
        return _load_whole(source)
    data: dict[Any, Any] = {}
    duplicates = DuplicateKeys()
    try:
        for block in blocks[1:]:
            value = _load_block(block)
            if value is None:
                return _load_whole(source)
            duplicates += [key for key in value if key in data]
            data.update(value)
    except yaml.YAMLError:
        return _load_whole(source)  # raises again, with the position in the whole source
    if duplicates:
        data[DUPLICATES] = duplicates
    return data or _load_whole(source)


def check_limits(source: str) -> None:
    """Measure aliases, expanded size and depth on the node graph, before building values.

    Raises:
        LimitError: naming the limit, with the line of the first alias or the deepest value.
    """
    root = yaml.compose(source, Loader=_Loader)
    if root is None:
        return
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    edges = 0
    for node in _post_order(root):
        children = _children(node)
        edges += len(children)
        size[id(node)] = 1 + sum(size[id(c)] for c in children)
        depth[id(node)] = 1 + max((depth[id(c)] for c in children), default=0)
        if depth[id(node)] > MAX_DEPTH:
            raise LimitError(
                f"nests lists and mappings more than {MAX_DEPTH} deep.",
                "Flatten the structure; no key of a card nests more than four deep.",
                node.start_mark.line,
            )
    # Every node but the root is reached by one edge the first time; each further edge to it
    # is an alias (`*name`).
    aliases = edges - (len(size) - 1)
    if aliases > MAX_ALIASES:
        raise LimitError(
            f"uses {aliases} YAML aliases (`*name`); a card may use {MAX_ALIASES}.",
            "Write the values out instead of repeating them through aliases.",
        )
    if size[id(root)] > MAX_NODES:
        raise LimitError(
            f"expands to {size[id(root)]:,} values through its aliases; a card may hold "
            f"{MAX_NODES:,}.",
            "Write the values out instead of nesting aliases of aliases.",
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _post_order(root: yaml.Node) -> Iterator[yaml.Node]:
    """Every distinct node once, children before parents, without recursion."""
    done: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in done:
            continue
        if expanded:
            done.add(id(node))
            yield node
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in done)


def _load_whole(source: str) -> Any:
    return yaml.load(source, Loader=_Loader)  # noqa: S506 - a safe loader, C or pure


def _load_block(block: str) -> dict[Any, Any] | None:
    """One top-level `key: value` block; a block list item by item. None: not that shape."""
    head, _, rest = block.partition("\n")
    items = _ITEM.split(rest)
    if head.rstrip().endswith(":") and len(items) > 2 and not items[0].strip():
        indent = len(items[1]) - len(items[1].lstrip(" "))
        # Every item at the same indentation, continuation lines deeper: a plain block list.
        if all(len(i) - len(i.lstrip(" ")) == indent for i in items[1:]):
            values = [_load_cached(item) for item in items[1:]]
            if all(isinstance(v, list) and len(v) == 1 for v in values):
                return {head.rstrip()[:-1]: [v[0] for v in values]}
    value = _load_cached(block)
    if not isinstance(value, dict) or len(value) - (DUPLICATES in value) != 1:
        return None
    return value


@functools.lru_cache(maxsize=1 << 16)
def _load_cached(text: str) -> Any:
    # Cached values are shared: validation builds new containers and never mutates them.
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader, C or pure


@dataclass(frozen=True)
class Located:
    """Where a key's value starts in the YAML, and the text it was written as."""

    line: int
    """0-based line in the YAML source."""
    raw: str | None
    """The scalar as written (`1.10`), None for a list or a mapping."""


def locate_keys(source: str) -> dict[str, Located]:
    """Every key path of the YAML (`reviews[0].date`) with where it is; {} if it cannot parse.

    Each node is visited once, so an alias adds nothing to walk.
    """
    try:
        root = yaml.compose(source, Loader=_Loader)
    except yaml.YAMLError:
        return {}
    if root is None:
        return {}
    out: dict[str, Located] = {}
    seen: set[int] = set()
    stack: list[tuple[str, yaml.Node]] = [("", root)]
    while stack:
        key, node = stack.pop()
        raw = node.value if isinstance(node, yaml.ScalarNode) else None
        out[key] = Located(node.start_mark.line, raw)
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            # Reversed, so that a key written twice is located at its last line, the one kept.
            for k, v in reversed(node.value):
                name = str(k.value) if isinstance(k, yaml.ScalarNode) else "?"
                sub = f"{key}.{name}" if key else name
                if sub not in out:
                    out[sub] = Located(k.start_mark.line, None)
                    stack.append((sub, v))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((f"{key}[{i}]", v) for i, v in enumerate(node.value))
    return out


def fill_raw(text: str, located: Located | None) -> str:
    """A message with `RAW` replaced by the value as the author wrote it."""
    if RAW not in text:
        return text
    raw = located.raw if located is not None and located.raw is not None else "..."
    return text.replace(RAW, excerpt(raw))


_YAML_FIX = (
    "Check indentation and quoting on that line; text with `: ` or starting with a special "
    "character needs quotes."
)


def yaml_error(error: yaml.YAMLError, source: str) -> tuple[str, str, int | None]:
    """A YAML error in words a card's author can act on: (message, fix, 0-based line)."""
    if isinstance(error, LimitError):
        return error.message, error.fix, error.line
    mark = getattr(error, "problem_mark", None)
    reason = getattr(error, "problem", None) or str(error).splitlines()[0]
    reason = excerpt(reason, 120)
    if mark is None:
        return f"is not valid YAML: {reason}.", _YAML_FIX, None
    lines = source.splitlines()
    fix = _YAML_FIX
    if "expected a single document" in str(error):
        return (
            f"holds more than one YAML document (a `---` line at line {mark.line + 1}).",
            "A card is one document: remove that `---` line, or give the second card a file "
            "of its own.",
            mark.line,
        )
    context = getattr(error, "context_mark", None)
    if context is not None and context.line < mark.line:
        # An unclosed `[` or `{`: YAML notices on a later line; the slip is where it opened.
        reason = f"{reason} {getattr(error, 'context', None) or ''}".rstrip()
        mark = context
        fix = "Close the `[` or `{` that opens on that line, or quote the value if it is text."
    text = lines[mark.line].strip() if mark.line < len(lines) else ""
    shown = f" (`{excerpt(text, 80)}`)" if text else ""
    plain = re.fullmatch(r"([A-Za-z_][\w-]*):[ \t]+([^\"'{\[].*)", text)
    if "mapping values are not allowed" in reason and plain and len(text) <= 200:
        # The most common slip: a value with ": " in it, which YAML reads as a nested key.
        value = plain.group(2).replace('"', '\\"')
        fix = f'The value contains `: `, so quote it: `{plain.group(1)}: "{value}"`.'
    return f"is not valid YAML: {reason}{shown}.", fix, mark.line


# Each pattern starts at the `\n` before a line (the text gets one in front): a literal the
# regex engine scans for, where `^` with re.M is tried at every character (4x slower).
# The start of a value on a line at the left margin: after `key:`, `- ` or `- key:`.
_VALUE = r"\n(?:[A-Za-z_][\w-]*:|-(?: +[A-Za-z_][\w-]*:)?) +"
# A line at the margin that is not a plain `key:`, a `- ` item or a comment: a quoted or `?`
# key, a document marker, a directive, text that belongs to a value above.
_OTHER_LINE = re.compile(r"\n(?![A-Za-z_][\w-]*:(?: |\n|$)|-(?: |\n|$)|#| |\n|$)")
# A value that may run on to the next lines, or that only a parse can read: anchors, aliases,
# tags, a nested `- `, a double-quoted value left open or with an escape, a single-quoted one
# left open (after any `''`), a quoted key in an item, a block scalar with a bad header.
_RISKY = re.compile(
    r"\n(?:"
    + _VALUE[2:]
    + r"""(?:[&*!%@`?]|- |"[^"\\\n]*(?:$|\\)|'(?:[^'\n]|'')*$|[|>](?![-+0-9]*(?: +#.*)? *$))"""
    + r"""|- +["'][^\n]*["']:(?: |$))""",
    re.M,
)
_FLOW = re.compile(_VALUE + r"([\[{].*)")
_COMMENT = re.compile(r"(?:\s+#.*)?\s*")
_ID_LEVEL = re.compile(r"\n(id|level):(?: +(.*))?(?=\n|\Z)")
_DOUBLE = re.compile(r'"[^"\\]*"')
_SINGLE = re.compile(r"'[^']*'")
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# Plain scalars YAML would not read as text: numbers, booleans, null.
_NOT_TEXT = re.compile(
    r"[-+]?(\d[\d_]*)?(\.[\d_]*)?([eE][-+]?\d+)?|yes|no|true|false|on|off|y|n|null|~", re.I
)


def quick_id_and_level(source: str) -> tuple[str, int] | None:
    """The top-level `id` and `level` of YAML read by pattern, or None when only a parse can tell.

    It answers only when every line at the left margin is provably what it looks like: a
    comment, or a plain `key:` (or a `- ` item) whose value is complete on that line: plain,
    a quoted scalar that closes there, a flow collection that closes there, or a block scalar
    header. Anything else (a quoted value that runs on to the next line, where a line
    `id: X` would be text; a quoted or `?` key; anchors, aliases, tags, directives, a second
    document, tabs, CR line ends) is None, and the caller parses. For YAML a full parse reads,
    the answer is the one the parse gives (tested against it on generated cards). A handful of
    searches over the whole text, in C: no loop over its lines in Python.
    """
    if "\t" in source or "\r" in source:
        return None
    text = "\n" + source
    if _OTHER_LINE.search(text) or _RISKY.search(text):
        return None
    if not all(_closed_flow(flow) for flow in _FLOW.findall(text)):
        return None
    pairs = _ID_LEVEL.findall(text)
    found = dict(pairs)
    if len(pairs) != 2 or len(found) != 2:
        return None
    card_id = _text_value(found["id"].strip())
    level = found["level"].split(" #", 1)[0].strip()
    if card_id is None or not re.fullmatch(r"[0-9]", level):
        return None
    return card_id, int(level)


def _closed_flow(value: str) -> bool:
    """A flow collection that closes on this line, with no quote left open inside it."""
    if not any(char in value for char in "\"'&*!#"):  # the common `[a, b]`: counted in C
        opened = value.count("[") + value.count("{")
        return opened == value.count("]") + value.count("}") and value[-1] in "]}"
    depth = 0
    quote = ""
    for index, char in enumerate(value):
        if quote:
            if char == quote:
                quote = ""
            elif char == "\\":
                return False  # escapes: leave them to the parser
            continue
        if char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return _COMMENT.fullmatch(value[index + 1 :]) is not None
        elif char in "&*!":
            return False
    return False


def _text_value(value: str) -> str | None:
    """The text of a plain or simply quoted id value, when YAML reads it as that text."""
    if not value:
        return None
    value = value.split(" #", 1)[0].strip() if value[:1] not in "\"'" else value
    if value[:1] in "\"'":
        quoted = (_DOUBLE if value[0] == '"' else _SINGLE).match(value)
        if quoted is None:
            return None
        value = quoted.group()[1:-1]
    elif _NOT_TEXT.fullmatch(value):
        return None
    return value if _PLAIN_ID.fullmatch(value) else None
