"""promql.parse(): parses PromQL into an Expr whose str() is the canonical form and whose AST is plain Python Node objects."""

from __future__ import annotations

import ctypes
import enum
import re
import weakref
from typing import Any, Iterator, List, NamedTuple, Optional, Tuple, Union

from . import _ffi
from .errors import check

__all__ = ["parse", "Expr", "Node", "NodeKind", "ValueType", "Matcher"]


class NodeKind(enum.IntEnum):
    """pql_node_kind: what an AST node is."""
    NUMBER = 1
    STRING = 2
    VECTOR_SELECTOR = 3
    MATRIX_SELECTOR = 4
    SUBQUERY = 5
    CALL = 6
    AGGREGATE = 7
    BINARY = 8
    UNARY = 9
    PAREN = 10
    DURATION_EXPR = 11


class ValueType(enum.IntEnum):
    """pql_value_type: the type the checker gave a node."""
    NONE = 0
    SCALAR = 1
    VECTOR = 2
    MATRIX = 3
    STRING = 4

    @property
    def prometheus_name(self) -> str:
        """Prometheus's name: "scalar", "instant vector", "range vector", "string", "none"."""
        return _ffi.decode(_ffi.lib().pql_value_type_name(int(self)))


_MATCH_OPS = ("=", "!=", "=~", "!~")
_CARDINALITY = (None, "one-to-one", "many-to-one", "one-to-many", "many-to-many")
_NS = 1e9


class Matcher(NamedTuple):
    """A label matcher: name, op ("=", "!=", "=~" or "!~") and value."""

    name: str
    op: str
    value: str

    def matches(self, value: str) -> bool:
        """True when a label value (\"\" for an absent label) satisfies the matcher.

        Regexes are fully anchored as in Prometheus; Python's `re` stands in
        for RE2, which agrees on the common syntax.
        """
        if self.op == "=":
            return value == self.value
        if self.op == "!=":
            return value != self.value
        hit = _compile(self.value).fullmatch(value) is not None
        return hit if self.op == "=~" else not hit

    def __str__(self) -> str:
        v = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'{self.name}{self.op}"{v}"'


_regex_cache: dict = {}


def _compile(pattern: str) -> "re.Pattern[str]":
    rx = _regex_cache.get(pattern)
    if rx is None:
        rx = re.compile(pattern, re.DOTALL)
        if len(_regex_cache) > 256:
            _regex_cache.clear()
        _regex_cache[pattern] = rx
    return rx


class _ExprHandle:
    """Owns one pql_expr*; freed by close() or when the last user is collected."""

    __slots__ = ("ptr", "_finalizer", "__weakref__")

    def __init__(self, ptr: int) -> None:
        self.ptr: Optional[int] = ptr
        self._finalizer = weakref.finalize(self, _ffi.lib().pql_expr_free, ptr)

    def close(self) -> None:
        self.ptr = None
        self._finalizer()

    def get(self) -> int:
        if self.ptr is None:
            raise ValueError("the expression was closed")
        return self.ptr


class Node:
    """One node of a parsed expression, copied out of the C AST.

    Which attributes are meaningful depends on kind; the rest are None or
    empty. Durations (range, step, offset) are float seconds; at is float
    seconds, "start()", "end()" or None.
    """

    __slots__ = ("_handle", "_ptr", "kind", "type", "start", "end", "children",
                 "op", "function", "metric_name", "matchers", "grouping",
                 "without", "return_bool", "cardinality", "include", "range",
                 "step", "offset", "at", "value", "_text")

    kind: NodeKind
    type: ValueType
    start: int
    end: int
    children: Tuple["Node", ...]
    op: Optional[str]
    function: Optional[str]
    metric_name: Optional[str]
    matchers: Tuple[Matcher, ...]
    grouping: Tuple[str, ...]
    without: bool
    return_bool: bool
    cardinality: Optional[str]
    include: Tuple[str, ...]
    range: Optional[float]
    step: Optional[float]
    offset: Optional[float]
    at: Union[None, float, str]
    value: Union[None, float, str]

    def __init__(self, handle: _ExprHandle, ptr: int) -> None:
        lib = _ffi.lib()
        self._handle = handle
        self._ptr = ptr
        self._text: Optional[str] = None
        kind = NodeKind(lib.pql_node_get_kind(ptr))
        self.kind = kind
        self.type = ValueType(lib.pql_node_type(ptr))
        s, e = ctypes.c_int64(), ctypes.c_int64()
        lib.pql_node_position(ptr, ctypes.byref(s), ctypes.byref(e))
        self.start, self.end = s.value, e.value
        self.children = ()  # filled by _build_tree, without recursion
        op = lib.pql_node_op(ptr)
        self.op = _ffi.decode(lib.pql_op_text(op)) if op else None
        fn = lib.pql_node_function_name(ptr) if kind == NodeKind.CALL else None
        self.function = _ffi.decode(fn) if fn is not None else None
        name = lib.pql_node_metric_name(ptr)
        self.metric_name = _ffi.decode(name) if name else None
        matchers = []
        for i in range(lib.pql_node_matcher_count(ptr)):
            m = lib.pql_node_matcher(ptr, i).contents
            v = ctypes.string_at(m.value, m.value_len) if m.value_len else b""
            matchers.append(Matcher(_ffi.decode(m.name), _MATCH_OPS[m.type],
                                    _ffi.decode(v)))
        self.matchers = tuple(matchers)
        self.grouping = tuple(_ffi.decode(lib.pql_node_label(ptr, i))
                              for i in range(lib.pql_node_label_count(ptr)))
        self.without = bool(lib.pql_node_is_without(ptr))
        self.return_bool = bool(lib.pql_node_return_bool(ptr))
        card = lib.pql_node_cardinality(ptr)
        self.cardinality = _CARDINALITY[card] if 0 <= card < len(_CARDINALITY) else None
        self.include = tuple(_ffi.decode(lib.pql_node_include(ptr, i))
                             for i in range(lib.pql_node_include_count(ptr)))
        has_range = kind in (NodeKind.MATRIX_SELECTOR, NodeKind.SUBQUERY)
        self.range = lib.pql_node_range_ns(ptr) / _NS if has_range else None
        self.step = (lib.pql_node_step_ns(ptr) / _NS
                     if kind == NodeKind.SUBQUERY else None)
        has_offset = kind in (NodeKind.VECTOR_SELECTOR, NodeKind.SUBQUERY,
                              NodeKind.MATRIX_SELECTOR)
        self.offset = lib.pql_node_offset_ns(ptr) / _NS if has_offset else None
        at = lib.pql_node_at(ptr)
        if at == 1:
            self.at = lib.pql_node_at_ms(ptr) / 1000.0
        elif at == 2:
            self.at = "start()"
        elif at == 3:
            self.at = "end()"
        else:
            self.at = None
        if kind == NodeKind.NUMBER:
            self.value = lib.pql_node_number(ptr)
        elif kind == NodeKind.STRING:
            n = ctypes.c_size_t()
            p = lib.pql_node_string(ptr, ctypes.byref(n))
            self.value = _ffi.decode(ctypes.string_at(p, n.value) if p else b"")
        else:
            self.value = None

    @property
    def labels(self) -> Tuple[str, ...]:
        """Alias of grouping: by/without labels of an aggregation, on/ignoring of a binary op."""
        return self.grouping

    def walk(self) -> Iterator["Node"]:
        """This node and every descendant, depth first, parents before children."""
        stack: List[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def __str__(self) -> str:
        """The node's canonical PromQL text (needs the Expr still open)."""
        if self._text is None:
            self._handle.get()
            self._text = _ffi.take_string(_ffi.lib().pql_node_format(self._ptr))
        return self._text

    def __repr__(self) -> str:
        try:
            text = str(self)
        except ValueError:
            text = "?"
        return f"<Node {self.kind.name} {text!r}>"


def _build_tree(handle: _ExprHandle, root_ptr: int) -> Node:
    """Copies the C tree into Nodes iteratively (trees may be ~1000 levels deep)."""
    lib = _ffi.lib()
    root = Node(handle, root_ptr)
    stack = [root]
    while stack:
        node = stack.pop()
        kids = tuple(Node(handle, lib.pql_node_child(node._ptr, i))
                     for i in range(lib.pql_node_child_count(node._ptr)))
        node.children = kids
        stack.extend(kids)
    return root


class Expr:
    """A parsed, type-checked PromQL expression.

    str(expr) is Prometheus's canonical form; expr.root is the AST as Node
    objects. The C expression is freed by close(), by leaving a `with` block,
    or when the Expr is garbage collected.
    """

    def __init__(self, handle: _ExprHandle, text: str) -> None:
        ptr = handle.get()
        self._handle = handle
        self.text: str = text
        self._canonical = _ffi.take_string(_ffi.lib().pql_expr_format(ptr))
        self.root: Node = _build_tree(self._handle, _ffi.lib().pql_expr_root(ptr))

    @property
    def type(self) -> ValueType:
        """Value type of the whole expression."""
        return self.root.type

    def walk(self) -> Iterator[Node]:
        """Every node of the AST, depth first."""
        return self.root.walk()

    def close(self) -> None:
        """Frees the C expression now; the Node objects stay readable, str(node) does not."""
        self._handle.close()

    def __enter__(self) -> "Expr":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __str__(self) -> str:
        return self._canonical

    def __repr__(self) -> str:
        return f"<promql.Expr {self._canonical!r}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Expr):
            return self._canonical == other._canonical
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._canonical)


_OPTION_FIELDS = {
    "experimental_functions": "enable_experimental_functions",
    "duration_expressions": "enable_duration_expressions",
    "extended_range_selectors": "enable_extended_range_selectors",
    "binop_fill_modifiers": "enable_binop_fill_modifiers",
    "max_query_bytes": "max_query_bytes",
    "max_depth": "max_depth",
}


def parse_options(**options: Any) -> _ffi.PqlParseOptions:
    """pql_parse_options from keyword arguments (see parse())."""
    opts = _ffi.lib().pql_parse_options_default()
    for key, value in options.items():
        field = _OPTION_FIELDS.get(key)
        if field is None:
            raise TypeError(f"unknown parse option {key!r}; known: "
                            + ", ".join(sorted(_OPTION_FIELDS)))
        if value is None:
            continue
        setattr(opts, field, int(value))
    return opts


def parse(expr: str, **options: Any) -> Expr:
    """Parses and type-checks a PromQL expression.

    Keyword options (all features default on): experimental_functions,
    duration_expressions, extended_range_selectors, binop_fill_modifiers
    (bools), max_query_bytes, max_depth (ints).
    Raises ParseError with message, start, end, line and column.
    """
    if not isinstance(expr, str):
        raise TypeError(f"parse() wants a str, not {type(expr).__name__}")
    lib = _ffi.lib()
    data = _ffi.encode(expr)
    opts = parse_options(**options) if options else None
    out = ctypes.c_void_p()
    err = _ffi.PqlError()
    status = lib.pql_parse(data, len(data),
                           ctypes.byref(opts) if opts is not None else None,
                           ctypes.byref(out), ctypes.byref(err))
    check(status, err, expr)
    # The handle owns the pointer from here on, whatever happens next.
    return Expr(_ExprHandle(out.value), expr)  # type: ignore[arg-type]
