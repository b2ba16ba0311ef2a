"""Benchmark: validating submissions, with every engine and a floor in the same run.

Cases: the small CBS example (TheoDorp, 2020) and a full jaarrekening of a large
gemeente (Rotterdam 2023: real per-taakveld totals, padded with detail rows to 3,700
rows). Each measurement runs in a fresh process, so that its peak memory is its own,
and takes the best of ``--repeat`` runs, because this 2-core machine is noisy. Ratios
are against measurements of the same run:

* ``iv3ld``: read, convert, load, check (SPARQL engine) and report, in-process, with
  the time of each step;
* ``pyshacl``: the same shapes and data on pySHACL (the reference engine);
* ``pyrudof``: the same shapes and data on pyrudof, where it can read the shapes;
* ``floor``: hand-written SPARQL for the core of the checks (cardinalities, code-list
  membership, datatype, a grey cell, a sum) on pyoxigraph, data loading included;
* ``pyld``: the cost of another JSON-LD processor (pyld ``to_rdf``) on our document;
* the ``iv3ld validate`` command against a plain process that loads the same triples
  into pyoxigraph and runs one query.

With ``--national`` it also validates a jaarrekening for every gemeente in the real
figures in one ``iv3ld validate`` command and reports time and peak memory.

Run: ``.venv/bin/python bench/validate.py [--repeat 3] [--national]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
IV3 = "https://data.iv3ld.nl/def/iv3#"
ONE_QUERY = f"""SELECT ?taakveld (SUM(?amount) AS ?total) WHERE {{
  ?observation <{IV3}taakveld> ?taakveld ; <{IV3}bedrag> ?amount .
}} GROUP BY ?taakveld"""
HAND_WRITTEN = [
    f"""SELECT ?o WHERE {{ ?o a <{IV3}Lastenwaarneming>
        FILTER NOT EXISTS {{ ?o <{IV3}bedrag> ?a }} }}""",
    f"""SELECT ?o WHERE {{ ?o a <{IV3}Lastenwaarneming>
        FILTER NOT EXISTS {{ ?o <{IV3}taakveld> ?t }} }}""",
    f"""SELECT ?o ?t WHERE {{ ?o a <{IV3}Lastenwaarneming> ; <{IV3}taakveld> ?t
        FILTER NOT EXISTS {{ ?t a <{IV3}Taakveld> }} }}""",
    f"""SELECT ?o ?c WHERE {{ ?o a <{IV3}Lastenwaarneming> ; <{IV3}categorie> ?c
        FILTER NOT EXISTS {{ ?c a <{IV3}Lastencategorie> }} }}""",
    f"""SELECT ?o ?a WHERE {{ ?o <{IV3}bedrag> ?a
        FILTER(datatype(?a) != <http://www.w3.org/2001/XMLSchema#decimal>) }}""",
    f"""SELECT ?o WHERE {{ ?o a <{IV3}Lastenwaarneming> ; <{IV3}taakveld> ?t ;
        <{IV3}categorie> ?c . ?t <{IV3}grijsLasten> ?c }}""",
    f"""SELECT (SUM(?l) AS ?lasten) (SUM(?b) AS ?baten) WHERE {{
        {{ ?o a <{IV3}Lastenwaarneming> ; <{IV3}bedrag> ?l }} UNION
        {{ ?o a <{IV3}Batenwaarneming> ; <{IV3}bedrag> ?b }} }}""",
]


def build_cases(workdir: Path) -> dict[str, Path]:
    """The input files, the large one generated from the real figures."""
    sys.path.insert(0, str(REPOSITORY / "scripts"))
    from build_examples import build_jaarrekening

    large = build_jaarrekening("GM0599", SHARED_DATA, detail_rows=3000)
    large_path = workdir / "rotterdam-jaarrekening-2023-detail.json"
    large_path.write_text(json.dumps(large), encoding="utf-8")
    small = (
        SHARED_DATA / "examples" / "iv3_json_voorbeeld_met_details_TheoDorp_2020.json"
    )
    return {"small CBS example": small, "Rotterdam 2023, 3,700 rows": large_path}


def measure_iv3ld(path: Path) -> dict[str, Any]:
    """Our own pipeline, step by step (SPARQL engine)."""
    from iv3ld.conversion import convert
    from iv3ld.loading import LoadedSubmission
    from iv3ld.submission import decode, from_content, parse_json, read_bytes
    from iv3ld.validation import validate_timed

    started = time.perf_counter()
    warnings: list[str] = []
    text = decode(read_bytes(path), str(path), warnings)
    submission = from_content(parse_json(text, str(path)), str(path), warnings)
    parsed = time.perf_counter()
    conversion = convert(submission)
    payload = conversion.payload()
    converted = time.perf_counter()

    loaded = LoadedSubmission(
        str(path), conversion.version, submission.codes, payload, conversion.pointers
    )
    report, timings = validate_timed(loaded, "sparql")
    rows = sum(len(part) for part in submission.content["data"].values())
    return {
        "rows": rows,
        "parse": parsed - started,
        "convert": converted - parsed,
        "load": timings.data,
        "checks": timings.checks,
        "report": timings.report,
        "total": time.perf_counter() - started,
        "results": len(report.results),
    }


def measure_pyshacl(path: Path) -> dict[str, Any]:
    """The reference engine on the same shapes and data."""
    from iv3ld.loading import load_path
    from iv3ld.validation import validate

    started = time.perf_counter()
    report = validate(load_path(path), "pyshacl")
    return {"total": time.perf_counter() - started, "results": len(report.results)}


def measure_pyrudof(path: Path) -> dict[str, Any]:
    """pyrudof on the same shapes and data, where it can read them."""
    import pyoxigraph as ox

    try:
        import pyrudof
    except ImportError:
        return {
            "total": float("nan"),
            "error": "pyrudof is not installed: pip install -e '.[bench]'",
        }

    from iv3ld.loading import load_path
    from iv3ld.resources import read_text
    from iv3ld.validation import SHAPE_FILES, _static_quads

    loaded = load_path(path)
    static = _static_quads(loaded.codes.layer_slug, loaded.codes.year, _base())
    triples = [
        ox.Triple(q.subject, q.predicate, q.object) for q in [*static, *loaded.quads]
    ]
    data = bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode()
    shapes = "\n".join(read_text("shapes", name) for name in SHAPE_FILES)

    started = time.perf_counter()
    try:
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_data(data, format=pyrudof.RDFFormat.NTriples)
        rudof.read_shacl(shapes)
        report = rudof.validate_shacl()
        conforms = report.conforms() if callable(report.conforms) else report.conforms
        outcome = (
            f"{'conforms' if conforms else 'does not conform'}, {len(report)} results"
        )
    except Exception as error:  # a third-party engine may refuse our shapes
        return {
            "total": float("nan"),
            "error": f"{type(error).__name__}: {error}"[:120],
        }
    return {"total": time.perf_counter() - started, "outcome": outcome}


def measure_floor(path: Path) -> dict[str, Any]:
    """Hand-written SPARQL for the core checks on pyoxigraph, loading included."""
    import pyoxigraph as ox

    from iv3ld.loading import load_path
    from iv3ld.validation import _static_quads

    loaded = load_path(path)
    static = _static_quads(loaded.codes.layer_slug, loaded.codes.year, _base())
    payload = ox.serialize([*static, *loaded.quads], format=ox.RdfFormat.N_QUADS)

    started = time.perf_counter()
    store = ox.Store()
    store.load(payload, format=ox.RdfFormat.N_QUADS)
    answers = sum(len(list(store.query(query))) for query in HAND_WRITTEN)  # type: ignore[arg-type]
    return {"total": time.perf_counter() - started, "answers": answers}


def measure_pyld(path: Path) -> dict[str, Any]:
    """Another JSON-LD processor (pyld) on our public document of the submission."""
    from pyld import jsonld

    from iv3ld.loading import load_path

    loaded = load_path(path)
    assert loaded.conversion is not None
    document = json.loads(json.dumps(loaded.conversion.jsonld()))

    started = time.perf_counter()
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    return {"total": time.perf_counter() - started, "triples": nquads.count("\n")}


def _base() -> str:
    from iv3ld.identifiers import base_iri

    return base_iri()


def _child(target: Callable[[Path], dict[str, Any]], path: Path, queue: Any) -> None:
    try:
        result = target(path)
    except Exception as error:  # reported in the table, so the run goes on
        result = {"total": float("nan"), "error": f"{type(error).__name__}: {error}"}
    result["peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(result)


def in_child(target: Callable[[Path], dict[str, Any]], path: Path) -> dict[str, Any]:
    """Run one measurement in a fresh process and return what it reported."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(target, path, queue))
    process.start()
    result: dict[str, Any] = queue.get(timeout=900)
    process.join()
    return result


def best(
    target: Callable[[Path], dict[str, Any]], path: Path, repeat: int
) -> dict[str, Any]:
    """The fastest of several runs, each in its own process."""
    runs = [in_child(target, path) for _ in range(repeat)]
    return min(runs, key=lambda run: float(run["total"]))


def command_seconds(arguments: list[str], repeat: int) -> float:
    """Best wall time of a command."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(arguments, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return min(times)


def measure_command(
    path: Path, workdir: Path, repeat: int
) -> tuple[float, float, float]:
    """``iv3ld validate FILE`` against processes that load triples and query.

    Two plain processes: one loads the submission's triples only, the other the
    same triples the command puts in its store (the submission, the code lists of
    its year and the vocabulary). Each loads N-Quads and runs one aggregate query.
    """
    import pyoxigraph as ox

    from iv3ld.loading import load_path
    from iv3ld.validation import _static_quads

    loaded = load_path(path)
    submission = workdir / "submission.nq"
    submission.write_bytes(ox.serialize(loaded.quads, format=ox.RdfFormat.N_QUADS))
    reference = _static_quads(loaded.codes.layer_slug, loaded.codes.year, _base())
    everything = workdir / "everything.nq"
    everything.write_bytes(
        ox.serialize([*reference, *loaded.quads], format=ox.RdfFormat.N_QUADS)
    )
    plain = workdir / "plain.py"
    plain.write_text(
        "import sys, pyoxigraph as ox\n"
        "store = ox.Store()\n"
        "store.load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)\n"
        f"print(len(list(store.query({ONE_QUERY!r}))))\n",
        encoding="utf-8",
    )
    python = sys.executable
    command = str(Path(python).parent / "iv3ld")
    ours = command_seconds([command, "validate", str(path)], repeat)
    alone = command_seconds([python, str(plain), str(submission)], repeat)
    same = command_seconds([python, str(plain), str(everything)], repeat)
    return ours, alone, same


def measure_national(workdir: Path) -> dict[str, Any]:
    """One ``iv3ld validate`` over a jaarrekening for every gemeente."""
    sys.path.insert(0, str(REPOSITORY / "scripts"))
    from build_examples import build_jaarrekening

    regions = (SHARED_DATA / "regions" / "gemeenten_cbs_2024.csv").read_text("utf-8")
    codes = [line.split(",")[0] for line in regions.splitlines()[1:] if line]
    folder = workdir / "national"
    folder.mkdir()
    for code in codes:
        try:
            document = build_jaarrekening(code, SHARED_DATA)
        except ValueError:  # a gemeente with only zeros in the real figures
            continue
        (folder / f"{code}.json").write_text(json.dumps(document), encoding="utf-8")

    files = sorted(folder.glob("*.json"))
    command = str(Path(sys.executable).parent / "iv3ld")
    started = time.perf_counter()
    completed = subprocess.run(
        [command, "validate", "--format", "json", *map(str, files)],
        capture_output=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report = json.loads(completed.stdout)
    rows = sum(
        len(part)
        for path in files
        for part in json.loads(path.read_text("utf-8"))["data"].values()
    )
    return {
        "files": len(files),
        "rows": rows,
        "seconds": seconds,
        "peak MB": peak,
        "conforming": sum(1 for item in report["files"] if item["conforms"]),
    }


def main() -> None:
    """Measure every case and print Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--national", action="store_true")
    parser.add_argument(
        "--command-repeat",
        type=int,
        default=10,
        help="runs of each command, the best counting (they take a fraction of a"
        " second, and one slow start on a noisy machine would decide a ratio)",
    )
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        if arguments.national:
            # First, so that the peak memory of finished children is this command's.
            national = measure_national(workdir)
            print("### All gemeenten in one command\n")
            for key, value in national.items():
                shown = f"{value:.1f}" if isinstance(value, float) else str(value)
                print(f"- {key}: {shown}")
        for name, path in build_cases(workdir).items():
            _report_case(
                name, path, workdir, arguments.repeat, arguments.command_repeat
            )


def _report_case(
    name: str, path: Path, workdir: Path, repeat: int, command_repeat: int
) -> None:
    ours = best(measure_iv3ld, path, repeat)
    floor = best(measure_floor, path, repeat)
    pyshacl = best(measure_pyshacl, path, max(1, repeat // 2))
    pyrudof = best(measure_pyrudof, path, 1)
    pyld = best(measure_pyld, path, 1)
    command, plain, same = measure_command(path, workdir, command_repeat)

    print(f"\n### {name} ({ours['rows']:,} rows)\n")
    steps = ["parse", "convert", "load", "checks", "report", "total"]
    print("| " + " | ".join(steps) + " | peak MB |")
    print("|" + "--:|" * (len(steps) + 1))
    print(
        "| "
        + " | ".join(f"{ours[step]:.3f} s" for step in steps)
        + f" | {ours['peak MB']:.0f} |"
    )
    print("\n| engine | seconds | × iv3ld | × floor | peak MB | note |")
    print("|---|--:|--:|--:|--:|---|")
    for label, run in (
        ("iv3ld (SPARQL engine)", ours),
        ("hand-written SPARQL floor", floor),
        ("pySHACL (reference)", pyshacl),
        ("pyrudof", pyrudof),
        ("pyld to_rdf (JSON-LD only)", pyld),
    ):
        note = run.get("error") or run.get("outcome") or ""
        print(
            f"| {label} | {run['total']:.3f} | {run['total'] / ours['total']:.1f} | "
            f"{run['total'] / floor['total']:.1f} | {run['peak MB']:.0f} | {note} |"
        )
    print(
        f"\n`iv3ld validate` {command:.3f} s; a plain pyoxigraph process loading the"
        f" same triples (submission, code lists, vocabulary) {same:.3f} s:"
        f" {command / same:.1f}×; loading the submission's triples only"
        f" {plain:.3f} s: {command / plain:.1f}×"
    )


if __name__ == "__main__":
    main()
