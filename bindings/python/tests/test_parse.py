"""Tests of promql.parse: canonical form, the Python AST, ParseError fields."""

from __future__ import annotations

import unittest

import _helpers  # noqa: F401
import promql
from promql import NodeKind, ValueType


class CanonicalFormTest(unittest.TestCase):
    def test_canonical_strings(self) -> None:
        cases = {
            "foo": "foo",
            "  foo  +  bar ": "foo + bar",
            'sum   by(job)(x{b="2",a="1"})': 'sum by (job) (x{a="1",b="2"})',
            "x offset 5m": "x offset 5m",
            "x[300s]": "x[5m]",
            "avg without (instance) (up)": "avg without (instance) (up)",
            "a / on(job) group_left(x) b": "a / on (job) group_left (x) b",
            "1 + 2 * 3": "1 + 2 * 3",
            '"hello"': '"hello"',
            "x @ 100": "x @ 100.000",
            "-x": "-x",
            "(x)": "(x)",
            "x > bool 1": "x > bool 1",
        }
        for text, want in cases.items():
            with self.subTest(text=text):
                e = promql.parse(text)
                self.assertEqual(str(e), want)
                # Printing and re-parsing gives the same text.
                self.assertEqual(str(promql.parse(str(e))), want)

    def test_expr_type_and_text(self) -> None:
        e = promql.parse("sum(x)")
        self.assertEqual(e.type, ValueType.VECTOR)
        self.assertEqual(e.type.prometheus_name, "instant vector")
        self.assertEqual(promql.parse("x[1m]").type, ValueType.MATRIX)
        self.assertEqual(promql.parse("1").type, ValueType.SCALAR)
        self.assertEqual(promql.parse('"s"').type, ValueType.STRING)
        self.assertEqual(e.text, "sum(x)")
        self.assertEqual(e, promql.parse("sum (x)"))
        self.assertIn("sum(x)", repr(e))

    def test_context_manager_and_close(self) -> None:
        with promql.parse("a + b") as e:
            lhs = e.root.children[0]
            self.assertEqual(str(lhs), "a")
        # Nodes stay readable, text that needs the C tree does not.
        self.assertEqual(e.root.op, "+")
        self.assertEqual(str(e), "a + b")
        rhs = e.root.children[1]
        with self.assertRaises(ValueError):
            str(rhs)
        e.close()  # twice is fine

    def test_wrong_type(self) -> None:
        with self.assertRaises(TypeError):
            promql.parse(b"x")  # type: ignore[arg-type]

    def test_options(self) -> None:
        with self.assertRaises(TypeError):
            promql.parse("x", no_such_option=True)
        with self.assertRaises(promql.ParseError):
            promql.parse("x" * 100, max_query_bytes=10)


class AstTest(unittest.TestCase):
    def test_walk_binary_aggregate_selector(self) -> None:
        e = promql.parse('sum by (job, env) (http_requests{code!="500", path=~"/api.*"} offset 1m) / 2')
        root = e.root
        self.assertEqual(root.kind, NodeKind.BINARY)
        self.assertEqual(root.op, "/")
        agg, num = root.children
        self.assertEqual(agg.kind, NodeKind.AGGREGATE)
        self.assertEqual(agg.op, "sum")
        self.assertEqual(agg.grouping, ("job", "env"))
        self.assertFalse(agg.without)
        self.assertEqual(num.kind, NodeKind.NUMBER)
        self.assertEqual(num.value, 2.0)
        sel = agg.children[0]
        self.assertEqual(sel.kind, NodeKind.VECTOR_SELECTOR)
        self.assertEqual(sel.metric_name, "http_requests")
        self.assertEqual(sel.offset, 60.0)
        self.assertIsNone(sel.at)
        self.assertEqual(
            sorted(sel.matchers),
            sorted([promql.Matcher("__name__", "=", "http_requests"),
                    promql.Matcher("code", "!=", "500"),
                    promql.Matcher("path", "=~", "/api.*")]))
        kinds = [n.kind for n in e.walk()]
        self.assertEqual(kinds, [NodeKind.BINARY, NodeKind.AGGREGATE,
                                 NodeKind.VECTOR_SELECTOR, NodeKind.NUMBER])
        self.assertEqual(sel.start, agg.start + len("sum by (job, env) ("))

    def test_matrix_subquery_call(self) -> None:
        e = promql.parse("max_over_time((x + 1)[10m:30s] offset 2m)")
        call = e.root
        self.assertEqual(call.kind, NodeKind.CALL)
        self.assertEqual(call.function, "max_over_time")
        sq = call.children[0]
        self.assertEqual(sq.kind, NodeKind.SUBQUERY)
        self.assertEqual(sq.range, 600.0)
        self.assertEqual(sq.step, 30.0)
        self.assertEqual(sq.offset, 120.0)
        self.assertEqual(sq.children[0].kind, NodeKind.PAREN)
        m = promql.parse("x[90s] @ 1000").root
        self.assertEqual(m.kind, NodeKind.MATRIX_SELECTOR)
        self.assertEqual(m.range, 90.0)
        self.assertEqual(m.children[0].kind, NodeKind.VECTOR_SELECTOR)
        self.assertEqual(m.children[0].at, 1000.0)
        self.assertEqual(promql.parse("x @ start()").root.at, "start()")
        self.assertEqual(promql.parse("x @ end()").root.at, "end()")

    def test_matching_and_modifiers(self) -> None:
        b = promql.parse("a > ignoring(x, y) group_right(z) b").root
        self.assertEqual(b.op, ">")
        self.assertTrue(b.without)
        self.assertEqual(b.grouping, ("x", "y"))
        self.assertEqual(b.labels, ("x", "y"))
        self.assertEqual(b.cardinality, "one-to-many")
        self.assertEqual(b.include, ("z",))
        self.assertFalse(b.return_bool)
        self.assertTrue(promql.parse("a == bool b").root.return_bool)
        self.assertEqual(promql.parse("a and b").root.cardinality, "many-to-many")
        u = promql.parse("-a").root
        self.assertEqual((u.kind, u.op), (NodeKind.UNARY, "-"))
        agg = promql.parse("topk(3, x)").root
        self.assertEqual(agg.op, "topk")
        self.assertEqual([c.kind for c in agg.children], [NodeKind.NUMBER, NodeKind.VECTOR_SELECTOR])

    def test_deep_tree_without_recursion_limit(self) -> None:
        e = promql.parse("+".join(["x"] * 999))
        self.assertEqual(sum(1 for _ in e.walk()), 1997)
        self.assertEqual(len(e.root.children), 2)

    def test_string_literal_and_matcher_escape(self) -> None:
        s = promql.parse('"a\\"b"').root
        self.assertEqual((s.kind, s.value), (NodeKind.STRING, 'a"b'))
        sel = promql.parse('x{l="q\\"uote"}').root
        self.assertIn(promql.Matcher("l", "=", 'q"uote'), sel.matchers)

    def test_matcher_matches(self) -> None:
        self.assertTrue(promql.Matcher("a", "=~", "b|c").matches("c"))
        self.assertFalse(promql.Matcher("a", "=~", "b").matches("bb"))  # anchored
        self.assertTrue(promql.Matcher("a", "!~", "b").matches("bb"))
        self.assertTrue(promql.Matcher("a", "!=", "b").matches(""))
        self.assertEqual(str(promql.Matcher("a", "=", 'x"y')), 'a="x\\"y"')


class ParseErrorTest(unittest.TestCase):
    def test_fields(self) -> None:
        with self.assertRaises(promql.ParseError) as cm:
            promql.parse("foo{")
        e = cm.exception
        self.assertEqual(e.message, "unexpected end of input inside braces")
        self.assertEqual((e.start, e.end), (4, 4))
        self.assertEqual((e.line, e.column), (1, 5))
        self.assertEqual(str(e), "1:5: parse error: unexpected end of input inside braces")
        self.assertEqual(e.query, "foo{")
        self.assertEqual(e.status, "parse error")
        self.assertIsInstance(e, promql.PromQLError)
        self.assertIsInstance(e, ValueError)

    def test_second_line(self) -> None:
        with self.assertRaises(promql.ParseError) as cm:
            promql.parse("x +\n  )")
        e = cm.exception
        self.assertEqual(e.line, 2)
        # line/column derive from start exactly as the C formatter does.
        self.assertEqual(e.column, e.start - len("x +\n") + 1)
        self.assertTrue(str(e).startswith(f"2:{e.column}: parse error: "), str(e))

    def test_type_check_errors(self) -> None:
        with self.assertRaises(promql.ParseError) as cm:
            promql.parse("sum(x[5m])")
        self.assertIn("range vector", cm.exception.message)
        self.assertGreaterEqual(cm.exception.start, 0)
        with self.assertRaises(promql.ParseError):
            promql.parse("no_such_function(x)")
        with self.assertRaises(promql.ParseError):
            promql.parse("")


if __name__ == "__main__":
    unittest.main()
