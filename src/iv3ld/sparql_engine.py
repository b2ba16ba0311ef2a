"""A SHACL engine that compiles the Iv3 shapes to SPARQL and runs them on pyoxigraph.

pySHACL evaluates shapes node by node in Python over rdflib; for one full jaarrekening
that takes seconds, where the same checks as SPARQL on pyoxigraph take a tenth of a
second. This engine compiles each constraint of the shapes (SHACL Core as used in
``shapes/``, and SHACL-SPARQL constraints) into one SELECT query that returns every
violating focus node and value at once, runs the queries on a pyoxigraph store, and
writes the same ``sh:ValidationReport`` that pySHACL writes: the same focus nodes,
paths, values, constraint components, source shapes, severities and messages.

Supported (W3C SHACL §4 and §5): targets ``sh:targetClass``; node shapes with
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
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox
from rdflib import RDF, SH, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from iv3ld.errors import Iv3Error

logger = logging.getLogger(__name__)

_SUBCLASS_OF = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"

_INSTANCE = re.compile(r"«instance (\?\w+) <([^>]+)>»")
"""Marker for "variable is a SHACL instance of class": expanded per store into a
UNION over the class and its subclasses, because pyoxigraph evaluates the path
``rdf:type/rdfs:subClassOf*`` per solution, thirty times slower."""

_SHAPE_KEYS = {
    SH.targetClass, SH.property, SH.closed, SH.ignoredProperties, SH["or"],
    SH.sparql, SH.message, SH.severity, SH.path, SH.minCount, SH.maxCount,
    SH.datatype, SH["class"], SH["in"], SH.pattern, SH.flags, SH.disjoint,
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.hasValue,
    SH.name, SH.description, SH.deactivated, RDF.type,
}  # fmt: skip
"""Predicates of a shape the compiler understands (others on shapes are refused
unless they are outside the SHACL namespace, such as labels and error codes)."""

_WELL_FORMED = {
    XSD.decimal: "isNumeric(?value)",
    XSD.integer: "isNumeric(?value)",
    XSD.boolean: "?value IN (true, false)",
    XSD.dateTime: "COALESCE(YEAR(?value) > -1000000, false)",
    XSD.date: "COALESCE(YEAR(?value) > -1000000, false)",
}
"""How to tell that a literal of a datatype has a valid lexical form (SHACL §4.1.2:
an ill-typed literal does not have its datatype)."""


class UnsupportedShapeError(Iv3Error):
    """The shapes use a construct this engine does not compile."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a query and what its results report."""

    query: str
    shape: Node
    component: URIRef
    severity: URIRef
    path: Node | None = None
    constraint: Node | None = None
    messages: tuple[Literal, ...] = ()
    reports_value: bool = True
    path_from_query: bool = False


@dataclass
class Finding:
    """One violation found by a check."""

    check: Check
    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None
    path: ox.NamedNode | None = None
    bindings: dict[str, str] = field(default_factory=dict)


@cache
def compile_shapes(shapes: Graph) -> tuple[Check, ...]:
    """Compile every active node shape with targets into checks.

    Raises UnsupportedShapeError naming the first construct it cannot compile.
    """
    compiler = _Compiler(shapes)
    checks: list[Check] = []
    for shape in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
        if shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        checks.extend(compiler.node_shape(shape))
    logger.debug("compiled %d checks", len(checks))
    return tuple(checks)


def run_checks(checks: Iterable[Check], store: ox.Store) -> list[Finding]:
    """Run compiled checks on the default graph of a store."""
    subclasses: dict[str, list[str]] = {}
    findings: list[Finding] = []
    for check in checks:
        query = _INSTANCE.sub(
            lambda match: _expand(match, store, subclasses), check.query
        )
        findings.extend(_run(check, query, store))
    return findings


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


def _instance(variable: str, class_iri: object) -> str:
    """A pattern matching SHACL instances of a class (expanded when run)."""
    return f"«instance {variable} <{class_iri}>»"


def _run(check: Check, query: str, store: ox.Store) -> Iterator[Finding]:
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
            name: _lexical(solution[name])
            for name in names
            if solution[name] is not None
        }
        yield Finding(check, focus, value, path, bindings)


def _lexical(term: object) -> str:
    return str(getattr(term, "value", term))


def write_report(findings: list[Finding], shapes: Graph) -> tuple[bool, Graph]:
    """Write findings as a SHACL validation report graph, as pySHACL would."""
    report = Graph()
    report.bind("sh", SH)
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    conforms = not any(finding.check.severity == SH.Violation for finding in findings)
    report.add((root, SH.conforms, Literal(conforms)))

    copied: dict[Node, Node] = {}
    for finding in findings:
        node = BNode()
        report.add((root, SH.result, node))
        _describe(report, node, finding, shapes, copied)
    return conforms, report


def _describe(
    report: Graph,
    node: BNode,
    finding: Finding,
    shapes: Graph,
    copied: dict[Node, Node],
) -> None:
    check = finding.check
    report.add((node, RDF.type, SH.ValidationResult))
    report.add((node, SH.focusNode, _to_rdflib(finding.focus)))
    report.add((node, SH.resultSeverity, check.severity))
    report.add((node, SH.sourceConstraintComponent, check.component))
    report.add((node, SH.sourceShape, _clone(check.shape, shapes, report, copied)))

    if check.constraint is not None:
        report.add((node, SH.sourceConstraint, check.constraint))
    if finding.path is not None:
        report.add((node, SH.resultPath, URIRef(finding.path.value)))
    elif check.path is not None:
        report.add((node, SH.resultPath, _clone(check.path, shapes, report, copied)))

    value = finding.value if finding.value is not None else None
    if check.reports_value:
        shown = value if value is not None else finding.focus
        report.add((node, SH.value, _to_rdflib(shown)))
    for message in check.messages:
        report.add((node, SH.resultMessage, _fill(message, finding)))


def _fill(message: Literal, finding: Finding) -> Literal:
    if finding.check.constraint is None:
        return message
    text = str(message)
    for name, value in finding.bindings.items():
        text = text.replace("{?" + name + "}", value).replace("{$" + name + "}", value)
    return Literal(text, lang=message.language)


def _clone(node: Node, source: Graph, target: Graph, copied: dict[Node, Node]) -> Node:
    """Copy a blank node's description into the report once, as pySHACL does.

    A shape or path that several results name is copied once and shared, keeping its
    blank node id (so that the report can be read against the shapes graph); what it
    contains is copied with fresh blank nodes, so a shape's path and a result's path
    are separate structures in the report, as in pySHACL's.
    """
    if not isinstance(node, BNode):
        return node
    if node not in copied:
        copied[node] = _deep_copy(node, source, target, BNode(str(node)))
    return copied[node]


def _deep_copy(
    node: BNode, source: Graph, target: Graph, copy: BNode | None = None
) -> BNode:
    """Copy a blank node's description; the top keeps its id, as in pySHACL."""
    copy = copy or BNode()
    for predicate, value in source.predicate_objects(node):
        if isinstance(value, BNode):
            value = _deep_copy(value, source, target)
        target.add((copy, predicate, value))
    return copy


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


class _Compiler:
    """Turns shapes into SPARQL; one instance per shapes graph."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes

    def node_shape(self, shape: Node) -> list[Check]:
        self._refuse_unknown(shape)
        targets = self._targets(shape)
        severity = self._severity(shape)
        messages = self._messages(shape)
        checks = []

        for property_shape in self.shapes.objects(shape, SH.property):
            checks.extend(self.property_shape(property_shape, targets))
        if self.shapes.value(shape, SH.closed) == Literal(True):
            checks.append(self._closed(shape, targets, severity, messages))
        for alternatives in self.shapes.objects(shape, SH["or"]):
            checks.append(self._or(shape, alternatives, targets, severity, messages))
        for constraint in self.shapes.objects(shape, SH.sparql):
            checks.append(self._sparql(shape, constraint, targets, severity))
        return checks

    def property_shape(self, shape: Node, targets: str) -> list[Check]:
        self._refuse_unknown(shape)
        path = self.shapes.value(shape, SH.path)
        if path is None:
            raise UnsupportedShapeError(f"property shape {shape} has no sh:path")
        sparql_path = self._path(path)
        base = {
            "shape": shape,
            "severity": self._severity(shape),
            "path": path,
            "messages": self._messages(shape),
        }
        checks = []
        values = f"{targets} ?this {sparql_path} ?value ."

        minimum = self.shapes.value(shape, SH.minCount)
        if minimum is not None:
            checks.append(
                Check(
                    self._count_query(
                        targets, sparql_path, f"< {_count(minimum)}", True
                    ),
                    component=SH.MinCountConstraintComponent,
                    reports_value=False,
                    **base,  # type: ignore[arg-type]
                )
            )
        maximum = self.shapes.value(shape, SH.maxCount)
        if maximum is not None:
            checks.append(
                Check(
                    self._count_query(
                        targets, sparql_path, f"> {_count(maximum)}", False
                    ),
                    component=SH.MaxCountConstraintComponent,
                    reports_value=False,
                    **base,  # type: ignore[arg-type]
                )
            )
        datatype = self.shapes.value(shape, SH.datatype)
        if datatype is not None:
            checks.append(
                Check(
                    _select(values, _datatype_filter(datatype)),
                    component=SH.DatatypeConstraintComponent,
                    **base,  # type: ignore[arg-type]
                )
            )
        for class_ in self.shapes.objects(shape, SH["class"]):
            condition = f"FILTER NOT EXISTS {{ {_instance('?value', class_)} }}"
            checks.append(
                Check(
                    _select(values, condition),
                    component=SH.ClassConstraintComponent,
                    **base,  # type: ignore[arg-type]
                )
            )
        for members in self.shapes.objects(shape, SH["in"]):
            allowed = " || ".join(
                f"sameTerm(?value, {_term(member)})"
                for member in Collection(self.shapes, members)
            )
            checks.append(
                Check(
                    _select(values, f"FILTER(!({allowed or 'false'}))"),
                    component=SH.InConstraintComponent,
                    **base,  # type: ignore[arg-type]
                )
            )
        pattern = self.shapes.value(shape, SH.pattern)
        if pattern is not None:
            flags = self.shapes.value(shape, SH.flags)
            arguments = f"STR(?value), {_string(str(pattern))}"
            if flags is not None:
                arguments += f", {_string(str(flags))}"
            condition = f"FILTER(isBlank(?value) || !REGEX({arguments}))"
            checks.append(
                Check(
                    _select(values, condition),
                    component=SH.PatternConstraintComponent,
                    **base,  # type: ignore[arg-type]
                )
            )
        for disjoint in self.shapes.objects(shape, SH.disjoint):
            checks.append(
                Check(
                    _select(values, f"?this <{disjoint}> ?value ."),
                    component=SH.DisjointConstraintComponent,
                    **base,  # type: ignore[arg-type]
                )
            )
        qualified = self.shapes.value(shape, SH.qualifiedValueShape)
        if qualified is not None:
            checks.extend(self._qualified(shape, qualified, targets, sparql_path, base))
        return checks

    def _qualified(
        self,
        shape: Node,
        qualified: Node,
        targets: str,
        sparql_path: str,
        base: dict[str, object],
    ) -> list[Check]:
        condition = self._conforms("?value", qualified)
        checks = []
        for key, comparison, component in (
            (SH.qualifiedMinCount, "<", SH.QualifiedMinCountConstraintComponent),
            (SH.qualifiedMaxCount, ">", SH.QualifiedMaxCountConstraintComponent),
        ):
            limit = self.shapes.value(shape, key)
            if limit is None:
                continue
            query = f"""SELECT ?this WHERE {{
  {targets}
  OPTIONAL {{ ?this {sparql_path} ?value . FILTER({condition}) }}
}} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) {comparison} {_count(limit)})"""
            checks.append(
                Check(query, component=component, reports_value=False, **base)  # type: ignore[arg-type]
            )
        return checks

    def _conforms(self, variable: str, shape: Node) -> str:
        """A SPARQL expression that is true when ``variable`` conforms to ``shape``.

        Only what nested shapes here need: sh:class, and property shapes with
        sh:hasValue or sh:minCount; anything else is refused.
        """
        if self.shapes.value(shape, SH.path) is not None:
            return self._property_conforms(variable, shape)

        parts = [
            f"EXISTS {{ {_instance(variable, class_)} }}"
            for class_ in self.shapes.objects(shape, SH["class"])
        ]
        parts.extend(
            self._property_conforms(variable, property_shape)
            for property_shape in self.shapes.objects(shape, SH.property)
        )
        used = {p for p in self.shapes.predicates(shape) if str(p).startswith(str(SH))}
        if used - {SH["class"], SH.property}:
            raise UnsupportedShapeError(
                f"nested shape {shape} uses {sorted(map(str, used))}"
            )
        return " && ".join(parts) or "true"

    def _property_conforms(self, variable: str, shape: Node) -> str:
        path = self._path(self.shapes.value(shape, SH.path))
        parts = [
            f"EXISTS {{ {variable} {path} {_term(value)} }}"
            for value in self.shapes.objects(shape, SH.hasValue)
        ]
        minimum = self.shapes.value(shape, SH.minCount)
        if minimum is not None and _count(minimum) > 1:
            raise UnsupportedShapeError(
                f"nested sh:minCount {minimum} above 1 in {shape}"
            )
        if minimum is not None and _count(minimum) == 1:
            parts.append(f"EXISTS {{ {variable} {path} ?any }}")
        used = {p for p in self.shapes.predicates(shape) if str(p).startswith(str(SH))}
        if used - {SH.path, SH.hasValue, SH.minCount}:
            raise UnsupportedShapeError(
                f"nested property shape {shape} uses more than sh:path, "
                "sh:hasValue and sh:minCount"
            )
        return " && ".join(parts) or "true"

    def _closed(
        self, shape: Node, targets: str, severity: URIRef, messages: tuple[Literal, ...]
    ) -> Check:
        allowed = {
            str(path)
            for property_shape in self.shapes.objects(shape, SH.property)
            for path in self.shapes.objects(property_shape, SH.path)
            if isinstance(path, URIRef)
        }
        for ignored in self.shapes.objects(shape, SH.ignoredProperties):
            allowed |= {str(item) for item in Collection(self.shapes, ignored)}
        listed = ", ".join(f"<{iri}>" for iri in sorted(allowed))
        query = f"""SELECT ?this ?path ?value WHERE {{
  {targets}
  ?this ?path ?value .
  FILTER(?path NOT IN ({listed}))
}}"""
        return Check(
            query,
            shape=shape,
            component=SH.ClosedConstraintComponent,
            severity=severity,
            messages=messages,
            path_from_query=True,
        )

    def _or(
        self,
        shape: Node,
        alternatives: Node,
        targets: str,
        severity: URIRef,
        messages: tuple[Literal, ...],
    ) -> Check:
        conditions = [
            f"({self._conforms('?this', member)})"
            for member in Collection(self.shapes, alternatives)
        ]
        query = (
            f"SELECT ?this WHERE {{ {targets} FILTER(!({' || '.join(conditions)})) }}"
        )
        return Check(
            query,
            shape=shape,
            component=SH.OrConstraintComponent,
            severity=severity,
            messages=messages,
        )

    def _sparql(
        self, shape: Node, constraint: Node, targets: str, severity: URIRef
    ) -> Check:
        select = self.shapes.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShapeError(
                f"SPARQL constraint {constraint} has no sh:select"
            )
        prefixes = self._prefixes(constraint)
        body = str(select).replace("$this", "?this")
        query = _with_target(prefixes + body, targets)
        messages = self._messages(constraint) or self._messages(shape)
        return Check(
            query,
            shape=shape,
            component=SH.SPARQLConstraintComponent,
            severity=severity,
            constraint=constraint,
            messages=messages,
            path_from_query="?path" in body,
        )

    def _prefixes(self, constraint: Node) -> str:
        declarations = []
        for ontology in self.shapes.objects(constraint, SH.prefixes):
            for declaration in self.shapes.objects(ontology, SH.declare):
                prefix = self.shapes.value(declaration, SH.prefix)
                namespace = self.shapes.value(declaration, SH.namespace)
                declarations.append(f"PREFIX {prefix}: <{namespace}>\n")
        return "".join(declarations)

    def _targets(self, shape: Node) -> str:
        classes = sorted(
            str(target) for target in self.shapes.objects(shape, SH.targetClass)
        )
        patterns = [f"{{ {_instance('?this', iri)} }}" for iri in classes]
        return "{ " + " UNION ".join(patterns) + " }"

    def _severity(self, shape: Node) -> URIRef:
        return URIRef(str(self.shapes.value(shape, SH.severity) or SH.Violation))

    def _messages(self, shape: Node) -> tuple[Literal, ...]:
        found = [
            m for m in self.shapes.objects(shape, SH.message) if isinstance(m, Literal)
        ]
        return tuple(
            sorted(found, key=lambda message: (message.language or "", str(message)))
        )

    def _path(self, path: Node | None) -> str:
        if isinstance(path, URIRef):
            return f"<{path}>"
        if path is None:
            raise UnsupportedShapeError("missing sh:path")
        inverse = self.shapes.value(path, SH.inversePath)
        if inverse is not None:
            return f"^{self._path(inverse)}"
        if self.shapes.value(path, RDF.first) is not None:
            return "/".join(self._path(step) for step in Collection(self.shapes, path))
        raise UnsupportedShapeError(
            f"path {path} is neither an IRI, inverse nor sequence"
        )

    def _refuse_unknown(self, shape: Node) -> None:
        for predicate in set(self.shapes.predicates(shape)):
            if str(predicate).startswith(str(SH)) and predicate not in _SHAPE_KEYS:
                raise UnsupportedShapeError(
                    f"shape {shape} uses {predicate}, which the SPARQL engine "
                    "does not compile; validate with --engine pyshacl"
                )

    def _count_query(self, targets: str, path: str, having: str, optional: bool) -> str:
        """Focus nodes whose number of values breaks a bound.

        The common bounds get cheaper queries than a GROUP BY over every focus node:
        at least one value is a NOT EXISTS, at most one a self-join.
        """
        if having == "< 1":
            return f"""SELECT ?this WHERE {{
  {targets}
  FILTER NOT EXISTS {{ ?this {path} ?any }}
}}"""
        if having == "> 1":
            return f"""SELECT DISTINCT ?this WHERE {{
  {targets}
  ?this {path} ?first .
  FILTER EXISTS {{ ?this {path} ?second . FILTER(!sameTerm(?first, ?second)) }}
}}"""
        pattern = (
            f"OPTIONAL {{ ?this {path} ?value }}"
            if optional
            else f"?this {path} ?value ."
        )
        return f"""SELECT ?this WHERE {{
  {targets}
  {pattern}
}} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) {having})"""


def _select(pattern: str, condition: str) -> str:
    return f"SELECT ?this ?value WHERE {{\n  {pattern}\n  {condition}\n}}"


def _datatype_filter(datatype: Node) -> str:
    well_formed = _WELL_FORMED.get(URIRef(str(datatype)), "true")
    return (
        f"FILTER(!(isLiteral(?value) && datatype(?value) = <{datatype}> "
        f"&& {well_formed}))"
    )


def _with_target(query: str, targets: str) -> str:
    """Join a SPARQL constraint's query with its targets, binding ``?this``."""
    position = query.index("WHERE")
    opening = query.index("{", position)
    return f"{query[: opening + 1]}\n  {targets}\n{query[opening + 1 :]}"


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise UnsupportedShapeError(f"blank node {node} where a value is expected")


def _count(node: Node) -> int:
    """The integer value of a count in a shape (sh:minCount 1)."""
    return int(str(node))


def _string(text: str) -> str:
    return Literal(text).n3()
