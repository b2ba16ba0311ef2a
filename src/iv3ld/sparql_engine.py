"""A SHACL engine that compiles the Iv3 shapes to SPARQL and runs them on pyoxigraph.

pySHACL evaluates shapes node by node in Python over rdflib; for one full jaarrekening
that takes seconds, where the same checks as SPARQL on pyoxigraph take a tenth of a
second. This engine compiles each constraint of the shapes (SHACL Core as used in
``shapes/``, and SHACL-SPARQL constraints) into one SELECT query that returns every
violating focus node and value at once, runs the queries on a pyoxigraph store, and
reports the same results as pySHACL: the same focus nodes, paths, values, constraint
components, source shapes, severities and messages. The RDF form of the report is
written only when asked for, and only then is rdflib imported.

Supported (W3C SHACL §2–§5): targets ``sh:targetClass`` and ``sh:targetSubjectsOf``;
node shapes with
``sh:property``, ``sh:closed``/``sh:ignoredProperties``, ``sh:or`` and ``sh:sparql``;
property shapes with IRI, inverse and sequence paths and ``sh:minCount``,
``sh:maxCount``, ``sh:datatype``, ``sh:class``, ``sh:in``, ``sh:pattern``,
``sh:disjoint``, ``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount`` or
``sh:qualifiedMaxCount``. A shapes graph that uses anything else is refused with
:class:`UnsupportedShapeError`, naming the shape and construct, so that the caller can
fall back to pySHACL.
"""

from __future__ import annotations

import logging
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from iv3ld.errors import Iv3Error
from iv3ld.report import SEVERITIES, Finding, Term

if TYPE_CHECKING:
    from rdflib import Graph

logger = logging.getLogger(__name__)

SH = "http://www.w3.org/ns/shacl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SUBCLASS_OF = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_INSTANCE = re.compile(r"«instance (\?\w+) <([^>]+)>»")
"""Marker for "variable is a SHACL instance of class": expanded per store into a
UNION over the class and its subclasses, because pyoxigraph evaluates the path
``rdf:type/rdfs:subClassOf*`` per solution, thirty times slower."""

_SHAPE_KEYS = {
    f"{SH}{name}"
    for name in [
        "targetClass",
        "targetSubjectsOf",
        "property",
        "closed",
        "ignoredProperties",
        "or",
        "sparql",
        "message",
        "severity",
        "path",
        "minCount",
        "maxCount",
        "datatype",
        "class",
        "in",
        "pattern",
        "flags",
        "disjoint",
        "qualifiedValueShape",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "hasValue",
        "name",
        "description",
        "deactivated",
        "order",
        "group",
    ]
}
"""Predicates of a shape the compiler understands; other SHACL predicates on a shape
are refused (predicates outside the SHACL namespace, such as labels and error codes,
are fine)."""

_WELL_FORMED = {
    f"{_XSD}decimal": "isNumeric(?value)",
    f"{_XSD}integer": "isNumeric(?value)",
    f"{_XSD}boolean": "?value IN (true, false)",
    f"{_XSD}dateTime": "COALESCE(YEAR(?value) > -1000000, false)",
    f"{_XSD}date": "COALESCE(YEAR(?value) > -1000000, false)",
}
"""How to tell that a literal of a datatype has a valid lexical form (SHACL §4.1.2:
an ill-typed literal does not have its datatype)."""

Node = ox.NamedNode | ox.BlankNode | ox.Literal


class UnsupportedShapeError(Iv3Error):
    """The shapes use a construct this engine does not compile."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a query and what its results report."""

    query: str
    shape: Node
    component: str
    severity: str
    code: str
    path: Node | None = None
    constraint: Node | None = None
    messages: tuple[tuple[str, str | None], ...] = ()
    reports_value: bool = True
    path_from_query: bool = False


@dataclass
class Hit:
    """One violation found by a check, with the query's bindings."""

    check: Check
    focus: Node
    value: Node | None
    path: Node | None = None
    bindings: dict[str, str] = field(default_factory=dict)

    def finding(self) -> Finding:
        """The hit as a report finding, with SPARQL message variables filled in."""
        check = self.check
        messages = tuple(
            (self.filled(text), language) for text, language in check.messages
        )
        shown = self.value if self.value is not None else self.focus
        path = self.path if self.path is not None else check.path
        return Finding(
            check.code,
            SEVERITIES.get(check.severity, "Violation"),
            messages,
            _report_term(self.focus),
            None if path is None else _path_text(path),
            _report_term(shown) if check.reports_value else None,
        )

    def filled(self, text: str) -> str:
        """A message with the SPARQL solution's variables filled in."""
        if self.check.constraint is None:
            return text
        for name, value in self.bindings.items():
            text = text.replace("{?" + name + "}", value).replace(
                "{$" + name + "}", value
            )
        return text


class ShapesGraph:
    """The shapes, indexed by subject, read with pyoxigraph."""

    def __init__(self, turtle: Iterable[str]) -> None:
        self.quads: list[ox.Quad] = []
        for text in turtle:
            self.quads.extend(
                ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
            )
        self._index: dict[Node, dict[str, list[Node]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for quad in self.quads:
            subject, value = quad.subject, quad.object
            if isinstance(subject, ox.Triple) or isinstance(value, ox.Triple):
                continue
            self._index[subject][quad.predicate.value].append(value)

    def objects(self, subject: Node, predicate: str) -> list[Node]:
        """Values of a predicate on a subject."""
        return list(self._index.get(subject, {}).get(predicate, []))

    def value(self, subject: Node, predicate: str) -> Node | None:
        """One value of a predicate on a subject, or None."""
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def predicates(self, subject: Node) -> set[str]:
        """The predicates used on a subject."""
        return set(self._index.get(subject, {}))

    def subjects(self, predicate: str) -> list[Node]:
        """Subjects that use a predicate, in a stable order."""
        found = {s for s, values in self._index.items() if predicate in values}
        return sorted(found, key=str)

    def items(self, head: Node) -> list[Node]:
        """The members of an RDF list."""
        members = []
        while head != ox.NamedNode(f"{_RDF}nil"):
            first = self.value(head, f"{_RDF}first")
            if first is None:
                raise UnsupportedShapeError(f"{head} is not a well-formed RDF list")
            members.append(first)
            head = self.value(head, f"{_RDF}rest") or ox.NamedNode(f"{_RDF}nil")
        return members


def compile_shapes(shapes: ShapesGraph, code_predicate: str) -> tuple[Check, ...]:
    """Compile every active node shape with targets into checks.

    ``code_predicate`` names the property that gives a shape its error code.
    Raises UnsupportedShapeError naming the first construct it cannot compile.
    """
    compiler = _Compiler(shapes, code_predicate)
    checks: list[Check] = []
    targeted = [
        *shapes.subjects(f"{SH}targetClass"),
        *shapes.subjects(f"{SH}targetSubjectsOf"),
    ]
    for shape in dict.fromkeys(targeted):
        if _is_true(shapes.value(shape, f"{SH}deactivated")):
            continue
        checks.extend(compiler.node_shape(shape))
    logger.debug("compiled %d checks", len(checks))
    return tuple(checks)


def run_checks(checks: Iterable[Check], store: ox.Store) -> list[Hit]:
    """Run compiled checks on the default graph of a store, in the checks' order.

    pyoxigraph releases the GIL while it evaluates a query, so the checks run on as
    many threads as there are cores; the hits come back in the order of the checks.
    """
    subclasses: dict[str, list[str]] = {}
    queries = [
        (
            check,
            _INSTANCE.sub(lambda match: _expand(match, store, subclasses), check.query),
        )
        for check in checks
    ]
    workers = max(1, min(len(queries), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        batches = pool.map(lambda item: list(_run(item[0], item[1], store)), queries)
        return [hit for batch in batches for hit in batch]


def _expand(
    match: re.Match[str], store: ox.Store, subclasses: dict[str, list[str]]
) -> str:
    """Expand an instance marker: the class and every subclass in the data."""
    variable, class_iri = match.group(1), match.group(2)
    if class_iri not in subclasses:
        query = (
            f"SELECT DISTINCT ?class WHERE {{ ?class {_SUBCLASS_OF}* <{class_iri}> }}"
        )
        found = {str(row["class"].value) for row in store.query(query)}  # type: ignore[union-attr]
        subclasses[class_iri] = sorted(found | {class_iri})
    alternatives = [f"{{ {variable} a <{iri}> }}" for iri in subclasses[class_iri]]
    return " UNION ".join(alternatives)


def _instance(variable: str, class_iri: Node | str) -> str:
    """A pattern matching SHACL instances of a class (expanded when run)."""
    iri = class_iri if isinstance(class_iri, str) else class_iri.value
    return f"«instance {variable} <{iri}>»"


def _run(check: Check, query: str, store: ox.Store) -> Iterator[Hit]:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [variable.value for variable in solutions.variables]
    for solution in solutions:
        focus = solution["this"]
        if focus is None:
            continue
        value = solution["value"] if "value" in names else None
        path = solution["path"] if check.path_from_query else None
        bindings = {
            name: str(getattr(solution[name], "value", solution[name]))
            for name in names
            if solution[name] is not None
        }
        yield Hit(check, focus, value, path, bindings)


def _report_term(node: Node) -> Term:
    if isinstance(node, ox.Literal):
        return Term(node.value, literal=True)
    if isinstance(node, ox.BlankNode):
        return Term(f"_:{node.value}")
    return Term(node.value)


def _path_text(path: Node) -> str:
    return "_:path" if isinstance(path, ox.BlankNode) else str(path.value)


def _is_true(node: Node | None) -> bool:
    return isinstance(node, ox.Literal) and node.value == "true"


def write_report(hits: list[Hit], shapes: ShapesGraph) -> tuple[Graph, list[Any]]:
    """Write hits as a SHACL validation report graph, as pySHACL would.

    Returns the graph and the result node of each hit, in the order of the hits.
    """
    from rdflib import RDF, BNode, Graph, Literal, URIRef

    report = Graph()
    root = BNode()
    report.add((root, RDF.type, sh("ValidationReport")))
    conforms = not any(hit.check.severity == f"{SH}Violation" for hit in hits)
    report.add((root, sh("conforms"), Literal(conforms)))

    copies: dict[Node, Any] = {}
    nodes = []
    for hit in hits:
        node = BNode()
        nodes.append(node)
        report.add((root, sh("result"), node))
        check = hit.check
        report.add((node, RDF.type, sh("ValidationResult")))
        report.add((node, sh("focusNode"), _to_rdflib(hit.focus)))
        report.add((node, sh("resultSeverity"), URIRef(check.severity)))
        report.add((node, sh("sourceConstraintComponent"), URIRef(check.component)))
        report.add(
            (node, sh("sourceShape"), _clone(check.shape, shapes, report, copies))
        )
        if check.constraint is not None:
            report.add((node, sh("sourceConstraint"), _to_rdflib(check.constraint)))
        if hit.path is not None:
            report.add((node, sh("resultPath"), _to_rdflib(hit.path)))
        elif check.path is not None:
            report.add(
                (node, sh("resultPath"), _clone(check.path, shapes, report, copies))
            )
        if check.reports_value:
            shown = hit.value if hit.value is not None else hit.focus
            report.add((node, sh("value"), _to_rdflib(shown)))
        for text, language in check.messages:
            message = Literal(hit.filled(text), lang=language)
            report.add((node, sh("resultMessage"), message))
    return report, nodes


def sh(local: str) -> Any:
    """An IRI in the SHACL namespace, as an rdflib term."""
    from rdflib import URIRef

    return URIRef(f"{SH}{local}")


def _clone(
    node: Node, shapes: ShapesGraph, report: Graph, copies: dict[Node, Any]
) -> Any:
    """Copy a blank node's description into the report once, as pySHACL does.

    A shape or path that several results name is copied once and shared, keeping its
    blank node id; what it contains is copied with fresh blank nodes, so a shape's
    path and a result's path are separate structures, as in pySHACL's report.
    """
    from rdflib import BNode

    if not isinstance(node, ox.BlankNode):
        return _to_rdflib(node)
    if node not in copies:
        copies[node] = _deep_copy(node, shapes, report, BNode(node.value))
    return copies[node]


def _deep_copy(
    node: ox.BlankNode, shapes: ShapesGraph, report: Graph, copy: Any
) -> Any:
    from rdflib import BNode, URIRef

    for predicate in sorted(shapes.predicates(node)):
        for value in shapes.objects(node, predicate):
            if isinstance(value, ox.BlankNode):
                target = _deep_copy(value, shapes, report, BNode())
            else:
                target = _to_rdflib(value)
            report.add((copy, URIRef(predicate), target))
    return copy


def _to_rdflib(term: Node) -> Any:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == f"{_XSD}string":
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


class _Compiler:
    """Turns shapes into SPARQL; one instance per shapes graph."""

    def __init__(self, shapes: ShapesGraph, code_predicate: str) -> None:
        self.shapes = shapes
        self.code_predicate = code_predicate

    def node_shape(self, shape: Node) -> list[Check]:
        self._refuse_unknown(shape)
        targets = self._targets(shape)
        common = {
            "shape": shape,
            "severity": self._severity(shape),
            "messages": self._messages(shape),
            "code": self._code(shape),
        }
        checks = []

        for property_shape in self.shapes.objects(shape, f"{SH}property"):
            checks.extend(self.property_shape(property_shape, targets))
        if _is_true(self.shapes.value(shape, f"{SH}closed")):
            checks.append(self._closed(shape, targets, common))
        for alternatives in self.shapes.objects(shape, f"{SH}or"):
            checks.append(self._or(alternatives, targets, common))
        for constraint in self.shapes.objects(shape, f"{SH}sparql"):
            checks.append(self._sparql(shape, constraint, targets, common))
        return checks

    def property_shape(self, shape: Node, targets: str) -> list[Check]:
        self._refuse_unknown(shape)
        path = self.shapes.value(shape, f"{SH}path")
        if path is None:
            raise UnsupportedShapeError(f"property shape {shape} has no sh:path")
        sparql_path = self._path(path)
        base: dict[str, Any] = {
            "shape": shape,
            "severity": self._severity(shape),
            "path": path,
            "messages": self._messages(shape),
            "code": self._code(shape),
        }
        values = f"{targets} ?this {sparql_path} ?value ."
        checks = []

        for key, bound, component in (
            ("minCount", "<", "MinCountConstraintComponent"),
            ("maxCount", ">", "MaxCountConstraintComponent"),
        ):
            limit = self.shapes.value(shape, f"{SH}{key}")
            if limit is not None:
                query = _count_query(targets, sparql_path, bound, _count(limit))
                checks.append(
                    Check(
                        query, component=f"{SH}{component}", reports_value=False, **base
                    )
                )
        for condition, component in self._value_conditions(shape):
            checks.append(
                Check(_select(values, condition), component=f"{SH}{component}", **base)
            )
        qualified = self.shapes.value(shape, f"{SH}qualifiedValueShape")
        if qualified is not None:
            checks.extend(self._qualified(shape, qualified, targets, sparql_path, base))
        return checks

    def _value_conditions(self, shape: Node) -> Iterator[tuple[str, str]]:
        """Per-value constraints of a property shape: a FILTER and its component."""
        datatype = self.shapes.value(shape, f"{SH}datatype")
        if datatype is not None:
            well_formed = _WELL_FORMED.get(str(datatype.value), "true")
            yield (
                f"FILTER(!(isLiteral(?value) && datatype(?value) = {datatype} "
                f"&& {well_formed}))",
                "DatatypeConstraintComponent",
            )
        for class_ in self.shapes.objects(shape, f"{SH}class"):
            yield (
                f"FILTER NOT EXISTS {{ {_instance('?value', class_)} }}",
                "ClassConstraintComponent",
            )
        for members in self.shapes.objects(shape, f"{SH}in"):
            allowed = " || ".join(
                f"sameTerm(?value, {_term(member)})"
                for member in self.shapes.items(members)
            )
            yield f"FILTER(!({allowed or 'false'}))", "InConstraintComponent"
        pattern = self.shapes.value(shape, f"{SH}pattern")
        if pattern is not None:
            arguments = f"STR(?value), {ox.Literal(pattern.value)}"
            flags = self.shapes.value(shape, f"{SH}flags")
            if flags is not None:
                arguments += f", {ox.Literal(flags.value)}"
            yield (
                f"FILTER(isBlank(?value) || !REGEX({arguments}))",
                "PatternConstraintComponent",
            )
        for disjoint in self.shapes.objects(shape, f"{SH}disjoint"):
            yield f"?this {disjoint} ?value .", "DisjointConstraintComponent"

    def _qualified(
        self,
        shape: Node,
        qualified: Node,
        targets: str,
        sparql_path: str,
        base: dict[str, Any],
    ) -> list[Check]:
        condition = self._conforms("?value", qualified)
        checks = []
        for key, comparison, component in (
            ("qualifiedMinCount", "<", "QualifiedMinCountConstraintComponent"),
            ("qualifiedMaxCount", ">", "QualifiedMaxCountConstraintComponent"),
        ):
            limit = self.shapes.value(shape, f"{SH}{key}")
            if limit is None:
                continue
            query = f"""SELECT ?this WHERE {{
  {targets}
  OPTIONAL {{ ?this {sparql_path} ?value . FILTER({condition}) }}
}} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) {comparison} {_count(limit)})"""
            checks.append(
                Check(query, component=f"{SH}{component}", reports_value=False, **base)
            )
        return checks

    def _conforms(self, variable: str, shape: Node) -> str:
        """A SPARQL expression that is true when ``variable`` conforms to ``shape``.

        Only what nested shapes here need: sh:class, and property shapes with
        sh:hasValue or sh:minCount; anything else is refused.
        """
        if self.shapes.value(shape, f"{SH}path") is not None:
            return self._property_conforms(variable, shape)

        parts = [
            f"EXISTS {{ {_instance(variable, class_)} }}"
            for class_ in self.shapes.objects(shape, f"{SH}class")
        ]
        parts.extend(
            self._property_conforms(variable, property_shape)
            for property_shape in self.shapes.objects(shape, f"{SH}property")
        )
        used = {p for p in self.shapes.predicates(shape) if p.startswith(SH)}
        if used - {f"{SH}class", f"{SH}property"}:
            raise UnsupportedShapeError(f"nested shape {shape} uses {sorted(used)}")
        return " && ".join(parts) or "true"

    def _property_conforms(self, variable: str, shape: Node) -> str:
        path = self._path(self.shapes.value(shape, f"{SH}path"))
        parts = [
            f"EXISTS {{ {variable} {path} {_term(value)} }}"
            for value in self.shapes.objects(shape, f"{SH}hasValue")
        ]
        minimum = self.shapes.value(shape, f"{SH}minCount")
        if minimum is not None and _count(minimum) > 1:
            raise UnsupportedShapeError(f"nested sh:minCount above 1 in {shape}")
        if minimum is not None and _count(minimum) == 1:
            parts.append(f"EXISTS {{ {variable} {path} ?any }}")
        used = {p for p in self.shapes.predicates(shape) if p.startswith(SH)}
        if used - {f"{SH}path", f"{SH}hasValue", f"{SH}minCount"}:
            raise UnsupportedShapeError(
                f"nested property shape {shape} uses more than sh:path, "
                "sh:hasValue and sh:minCount"
            )
        return " && ".join(parts) or "true"

    def _closed(self, shape: Node, targets: str, common: dict[str, Any]) -> Check:
        allowed = {
            path.value
            for property_shape in self.shapes.objects(shape, f"{SH}property")
            for path in self.shapes.objects(property_shape, f"{SH}path")
            if isinstance(path, ox.NamedNode)
        }
        for ignored in self.shapes.objects(shape, f"{SH}ignoredProperties"):
            allowed |= {str(item.value) for item in self.shapes.items(ignored)}
        listed = ", ".join(f"<{iri}>" for iri in sorted(allowed))
        query = f"""SELECT ?this ?path ?value WHERE {{
  {targets}
  ?this ?path ?value .
  FILTER(?path NOT IN ({listed}))
}}"""
        return Check(
            query,
            component=f"{SH}ClosedConstraintComponent",
            path_from_query=True,
            **common,
        )

    def _or(self, alternatives: Node, targets: str, common: dict[str, Any]) -> Check:
        conditions = [
            f"({self._conforms('?this', member)})"
            for member in self.shapes.items(alternatives)
        ]
        either = " || ".join(conditions)
        query = f"SELECT ?this WHERE {{ {targets} FILTER(!({either})) }}"
        return Check(query, component=f"{SH}OrConstraintComponent", **common)

    def _sparql(
        self, shape: Node, constraint: Node, targets: str, common: dict[str, Any]
    ) -> Check:
        select = self.shapes.value(constraint, f"{SH}select")
        if select is None:
            raise UnsupportedShapeError(
                f"SPARQL constraint {constraint} has no sh:select"
            )
        body = select.value.replace("$this", "?this")
        query = _with_target(self._prefixes(constraint) + body, targets)
        return Check(
            query,
            component=f"{SH}SPARQLConstraintComponent",
            constraint=constraint,
            path_from_query="?path" in body,
            shape=shape,
            severity=common["severity"],
            messages=self._messages(constraint) or common["messages"],
            code=self._code(constraint)
            if self._has_code(constraint)
            else common["code"],
        )

    def _prefixes(self, constraint: Node) -> str:
        declarations = []
        for ontology in self.shapes.objects(constraint, f"{SH}prefixes"):
            for declaration in self.shapes.objects(ontology, f"{SH}declare"):
                prefix = self.shapes.value(declaration, f"{SH}prefix")
                namespace = self.shapes.value(declaration, f"{SH}namespace")
                if prefix is not None and namespace is not None:
                    declarations.append(f"PREFIX {prefix.value}: <{namespace.value}>\n")
        return "".join(declarations)

    def _targets(self, shape: Node) -> str:
        classes = sorted(
            str(c.value) for c in self.shapes.objects(shape, f"{SH}targetClass")
        )
        subjects_of = sorted(
            str(p.value) for p in self.shapes.objects(shape, f"{SH}targetSubjectsOf")
        )
        patterns = [f"{{ {_instance('?this', iri)} }}" for iri in classes]
        patterns += [
            f"{{ SELECT DISTINCT ?this WHERE {{ ?this <{iri}> ?targetObject }} }}"
            for iri in subjects_of
        ]
        return "{ " + " UNION ".join(patterns) + " }"

    def _severity(self, shape: Node) -> str:
        severity = self.shapes.value(shape, f"{SH}severity")
        return f"{SH}Violation" if severity is None else str(severity.value)

    def _messages(self, shape: Node) -> tuple[tuple[str, str | None], ...]:
        found = [
            (message.value, message.language)
            for message in self.shapes.objects(shape, f"{SH}message")
            if isinstance(message, ox.Literal)
        ]
        return tuple(sorted(found, key=lambda item: (item[1] or "", item[0])))

    def _has_code(self, shape: Node) -> bool:
        return self.shapes.value(shape, self.code_predicate) is not None

    def _code(self, shape: Node) -> str:
        code = self.shapes.value(shape, self.code_predicate)
        return "SF999" if code is None else str(code.value)

    def _path(self, path: Node | None) -> str:
        if isinstance(path, ox.NamedNode):
            return str(path)
        if path is None:
            raise UnsupportedShapeError("missing sh:path")
        inverse = self.shapes.value(path, f"{SH}inversePath")
        if inverse is not None:
            return f"^{self._path(inverse)}"
        if self.shapes.value(path, f"{_RDF}first") is not None:
            return "/".join(self._path(step) for step in self.shapes.items(path))
        raise UnsupportedShapeError(
            f"path {path} is neither an IRI, inverse nor sequence"
        )

    def _refuse_unknown(self, shape: Node) -> None:
        for predicate in sorted(self.shapes.predicates(shape)):
            if predicate.startswith(SH) and predicate not in _SHAPE_KEYS:
                raise UnsupportedShapeError(
                    f"shape {shape} uses <{predicate}>, which the SPARQL engine "
                    "does not compile; validate with --engine pyshacl"
                )


def _count_query(targets: str, path: str, comparison: str, limit: int) -> str:
    """Focus nodes whose number of values breaks a bound.

    The common bounds get cheaper queries than a GROUP BY over every focus node:
    at least one value is a NOT EXISTS, at most one an EXISTS on a second value.
    """
    if (comparison, limit) == ("<", 1):
        return f"""SELECT ?this WHERE {{
  {targets}
  FILTER NOT EXISTS {{ ?this {path} ?any }}
}}"""
    if (comparison, limit) == (">", 1):
        return f"""SELECT DISTINCT ?this WHERE {{
  {targets}
  ?this {path} ?first .
  FILTER EXISTS {{ ?this {path} ?second . FILTER(!sameTerm(?first, ?second)) }}
}}"""
    optional = comparison == "<"
    pattern = (
        f"OPTIONAL {{ ?this {path} ?value }}" if optional else f"?this {path} ?value ."
    )
    return f"""SELECT ?this WHERE {{
  {targets}
  {pattern}
}} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) {comparison} {limit})"""


def _select(pattern: str, condition: str) -> str:
    return f"SELECT ?this ?value WHERE {{\n  {pattern}\n  {condition}\n}}"


def _with_target(query: str, targets: str) -> str:
    """Join a SPARQL constraint's query with its targets, binding ``?this``."""
    position = query.index("WHERE")
    opening = query.index("{", position)
    return f"{query[: opening + 1]}\n  {targets}\n{query[opening + 1 :]}"


def _term(node: Node) -> str:
    if isinstance(node, ox.BlankNode):
        raise UnsupportedShapeError(f"blank node {node} where a value is expected")
    return str(node)


def _count(node: Node) -> int:
    """The integer value of a count in a shape (sh:minCount 1)."""
    return int(node.value)
