"""The ``iv3ld`` command line.

Exit codes, the same for every command:

====  ==========================================================================
0     success; for ``validate``: every file conforms (warnings allowed)
1     ``validate``: at least one file does not conform to the CBS checks;
      ``load``: a file was refused; ``harvest``: a source was invalid,
      unreachable, too large or refused (not new and not unchanged)
2     usage error: unknown option, missing argument, file that does not exist
3     input cannot be read: not JSON, Turtle or an Excel workbook, over the size
      limit, no metadata, unknown overheidslaag, a boekjaar without CBS definitions,
      a remote context; a workbook without a sheet, label or header row of the CBS
      Iv3 model, or with a cell that cannot be read; ``harvest`` and ``status``:
      the register of sources cannot be read
4     the store cannot be used: locked by a running server, unreachable, or a
      setting is wrong
====  ==========================================================================

The command only parses arguments, calls the library and prints; it is the one place
(with the web app) that configures logging.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, NoReturn

import click

from iv3ld import __version__
from iv3ld.conversion import UNIT_MULTIPLIERS
from iv3ld.errors import ConfigurationError, InputError, Iv3Error, StoreError
from iv3ld.loading import LoadedSubmission, is_workbook, load_path
from iv3ld.report import Report, render_json, render_rdf, render_text
from iv3ld.settings import Settings, read_settings
from iv3ld.validation import ENGINES, validate

EXIT_OK = 0
EXIT_NOT_CONFORMING = 1
EXIT_USAGE = 2
EXIT_UNREADABLE = 3
EXIT_STORE = 4

_FILES = click.Path(exists=True, dir_okay=False, path_type=Path)
_UNIT = click.option(
    "--unit",
    type=click.Choice(sorted(UNIT_MULTIPLIERS)),
    default="duizend",
    show_default=True,
    help="Unit of the amounts in the file: thousands of euros or euros.",
)


@click.group()
@click.version_option(__version__, prog_name="iv3ld")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Iv3 financial returns of Dutch local government as linked data."""
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@main.command("validate")
@click.argument("files", nargs=-1, required=True, type=_FILES)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "turtle", "json-ld"]),
    default="text",
    show_default=True,
    help="Readable text, JSON results, or the SHACL report as RDF.",
)
@click.option(
    "--lang",
    "language",
    type=click.Choice(["nl", "en"]),
    default="nl",
    show_default=True,
    help="Language of the messages.",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="sparql",
    show_default=True,
    help="SHACL engine: the shapes as SPARQL on pyoxigraph, or the pySHACL reference.",
)
@_UNIT
def validate_command(
    files: tuple[Path, ...], output_format: str, language: str, engine: str, unit: str
) -> None:
    """Check Iv3 submissions against the CBS checks.

    A file may be CBS JSON, the CBS Iv3 Excel model (.xlsx), JSON-LD or Turtle.
    """
    reports: list[Report] = []
    unreadable = False
    with _progress(files) as paths:
        for path in paths:
            try:
                reports.append(validate(load_path(path, unit), engine))
            except InputError as error:
                unreadable = True
                click.echo(f"error: {error}", err=True)
            except Iv3Error as error:
                _fail(str(error))

    _print_reports(reports, output_format, language)
    if unreadable:
        sys.exit(EXIT_UNREADABLE)
    sys.exit(
        EXIT_OK if all(report.conforms for report in reports) else EXIT_NOT_CONFORMING
    )


def _progress(files: tuple[Path, ...]) -> Any:
    """A progress bar on a terminal for more than one file; else the plain files."""
    if len(files) < 2 or not sys.stderr.isatty():
        return nullcontext(files)
    return click.progressbar(
        files,
        label="validating",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda path: path.name if path else None,
    )


def _print_reports(reports: list[Report], output_format: str, language: str) -> None:
    if not reports:
        return
    if output_format == "text":
        click.echo(render_text(reports, language))
    elif output_format == "json":
        click.echo(
            json.dumps(render_json(reports, language), ensure_ascii=False, indent=2)
        )
    else:
        click.echo(render_rdf(reports, output_format))


@main.command("convert")
@click.argument("file", type=_FILES)
@click.option(
    "--to",
    "target",
    type=click.Choice(["json", "jsonld", "turtle", "nquads"]),
    default=None,
    help="Output format: json (CBS JSON, the default for an Excel workbook), "
    "jsonld (the default otherwise), turtle or nquads.",
)
@click.option(
    "--context",
    "context_mode",
    type=click.Choice(["embed", "reference"]),
    default="embed",
    show_default=True,
    help="JSON-LD only: embed the contexts, or refer to their published addresses.",
)
@_UNIT
def convert_command(
    file: Path, target: str | None, context_mode: str, unit: str
) -> None:
    """Convert a submission to linked data, or an Excel model to CBS JSON."""
    target = target or ("json" if is_workbook(file) else "jsonld")
    try:
        if target == "json":
            click.echo(_workbook_json(file))
            return
        loaded = load_path(file, unit)
    except InputError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_UNREADABLE)
    except Iv3Error as error:
        _fail(str(error))

    click.echo(_converted(loaded, target, context_mode))


def _workbook_json(file: Path) -> str:
    """The CBS JSON of an Excel model, pretty-printed; warnings go to stderr."""
    with file.open("rb") as stream:
        head = stream.read(4)
    if not is_workbook(file, head):
        raise click.UsageError("--to json needs an Excel workbook (.xlsx) as input")

    from iv3ld.workbook import read_workbook

    warnings: list[str] = []
    content = read_workbook(file, warnings=warnings)
    for warning in warnings:
        click.echo(f"warning: {file}: {warning}", err=True)
    return json.dumps(content, ensure_ascii=False, indent=2)


def _converted(loaded: LoadedSubmission, target: str, context_mode: str) -> str:
    import pyoxigraph as ox

    if target == "jsonld":
        if loaded.conversion is None:
            raise click.UsageError("JSON-LD output needs a CBS JSON file as input")
        document = loaded.conversion.jsonld(reference=context_mode == "reference")
        return json.dumps(document, ensure_ascii=False, indent=2)

    rdf_format = ox.RdfFormat.TURTLE if target == "turtle" else ox.RdfFormat.N_QUADS
    prefixes = {"iv3": f"{loaded.version.split('/id/')[0]}/def/iv3#"}
    if rdf_format == ox.RdfFormat.TURTLE:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in loaded.quads]
        text = ox.serialize(triples, format=rdf_format, prefixes=prefixes)
    else:
        text = ox.serialize(loaded.quads, format=rdf_format)
    return bytes(text or b"").decode("utf-8")


def _store_options(command: Any) -> Any:
    """The options that choose the store, shared by ``load`` and ``serve``."""
    command = click.option(
        "--sparql-endpoint",
        metavar="URL",
        help="Use a remote SPARQL 1.1 engine (query endpoint) instead of a directory.",
    )(command)
    return click.option(
        "--store",
        "store_directory",
        type=click.Path(file_okay=False, path_type=Path),
        help="Directory of the embedded store (default: IV3LD_STORE, or"
        " $XDG_DATA_HOME/iv3ld/store).",
    )(command)


def _settings(store_directory: Path | None, sparql_endpoint: str | None) -> Settings:
    try:
        return read_settings().with_overrides(
            store=store_directory, sparql_endpoint=sparql_endpoint
        )
    except ConfigurationError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_STORE)


@main.command("load")
@click.argument("files", nargs=-1, required=True, type=_FILES)
@_store_options
@_UNIT
def load_command(
    files: tuple[Path, ...],
    store_directory: Path | None,
    sparql_endpoint: str | None,
    unit: str,
) -> None:
    """Validate submissions and load those that conform into the store.

    A file that does not conform is refused with its report; nothing of it is
    written. A file counts as received at its metadata.datum, so CBS's
    publication rules apply as if it had been delivered then: a file whose
    placement date has not come yet is held until ``iv3ld publish`` runs on or
    after that date. Exit code 1 when any file was refused.
    """
    from iv3ld.deliveries import receipt_for_path, receive

    settings = _settings(store_directory, sparql_endpoint)
    refused: list[Report] = []
    unreadable = False
    with _opened(settings) as (store, state), _progress(files) as paths:
        for path in paths:
            try:
                intake = receive(store, state, receipt_for_path(path), unit=unit)
            except InputError as error:
                unreadable = True
                click.echo(f"error: {error}", err=True)
                continue
            if intake.outcome == "refused":
                refused.append(intake.report)
            click.echo(f"{path}: {_outcome_text(intake)}")

    if refused:
        click.echo(render_text(refused, "nl"), err=True)
    if unreadable:
        sys.exit(EXIT_UNREADABLE)
    sys.exit(EXIT_NOT_CONFORMING if refused else EXIT_OK)


def _outcome_text(intake: Any) -> str:
    texts = {
        "loaded": f"loaded as {intake.version}",
        "unchanged": f"unchanged, already stored as {intake.version}",
        "pending": f"held as {intake.version} until its {intake.placement.label}"
        f" on {intake.publication_date.isoformat()}",
        "refused": f"refused (does not conform), would have been {intake.version}",
    }
    return texts[intake.outcome]


@contextmanager
def _opened(settings: Settings) -> Iterator[tuple[Any, Any]]:
    """The store and state directory, checked; exit 4 when they cannot be used."""
    from iv3ld.intake import discard_unfinished_versions
    from iv3ld.state import StateDirectory
    from iv3ld.store import open_store

    try:
        store = open_store(settings)
    except StoreError as error:
        _fail_store(str(error))
    try:
        state = StateDirectory(settings.state_directory)
        problems = store.check()
        if problems:
            _fail_store("; ".join(problems))
        discard_unfinished_versions(store)
        yield store, state
        state.close()
    except StoreError as error:
        _fail_store(str(error))
    finally:
        store.close()


@main.command("publish")
@_store_options
def publish_command(store_directory: Path | None, sparql_endpoint: str | None) -> None:
    """Publish held deliveries whose placement date has come.

    ``iv3ld serve`` does this every minute; run it from cron when no server runs.
    """
    from iv3ld.deliveries import publish_due

    settings = _settings(store_directory, sparql_endpoint)
    with _opened(settings) as (store, state):
        for intake in publish_due(store, state):
            click.echo(f"published {intake.version} ({intake.placement.label})")


_REGISTER = click.option(
    "--register",
    "register_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The register of sources, CSV or Turtle (default: IV3LD_REGISTER, or"
    " register.csv in the state directory).",
)


@main.command("harvest")
@_REGISTER
@_store_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="One line per source, or the run as JSON.",
)
def harvest_command(
    register_path: Path | None,
    store_directory: Path | None,
    sparql_endpoint: str | None,
    output_format: str,
) -> None:
    """Fetch every source of the register and take in what changed.

    Per source one outcome: new, unchanged, invalid, unreachable, too-large or
    refused (a file of another government). The run is also kept as JSON in
    harvest/ in the state directory. Exit code 1 when any source was not new or
    unchanged, 3 when the register cannot be read.
    """
    from iv3ld.harvest import HarvestLimits, harvest
    from iv3ld.sources import read_register

    settings = _settings(store_directory, sparql_endpoint)
    try:
        sources = read_register(register_path or settings.register_path)
    except InputError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_UNREADABLE)

    limits = HarvestLimits.from_settings(settings)
    with _opened(settings) as (store, state), _harvest_progress(sources) as progress:
        run = harvest(store, state, sources, limits, progress=progress)

    if output_format == "json":
        click.echo(json.dumps(run.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(_harvest_text(run))
    sys.exit(EXIT_OK if run.all_good else EXIT_NOT_CONFORMING)


@contextmanager
def _harvest_progress(sources: list[Any]) -> Iterator[Any]:
    """A progress callback that moves a bar on a terminal, or None."""
    if not sources or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(
        length=len(sources), label="harvesting", file=sys.stderr, show_pos=True
    ) as bar:
        yield lambda result: bar.update(1)


def _harvest_text(run: Any) -> str:
    lines = []
    for result in run.results:
        where = f"{result.source.government} {result.source.url}"
        version = f" {result.version}" if result.version else ""
        lines.append(f"{where}: {result.outcome}: {result.detail}{version}")
    counts = ", ".join(f"{count} {name}" for name, count in run.counts().items())
    lines.append(f"harvested {len(run.results)} sources: {counts or 'none'}")
    if run.log_path is not None:
        lines.append(f"log: {run.log_path}")
    return "\n".join(lines)


@main.command("status")
@click.argument("year", metavar="BOEKJAAR", type=click.IntRange(2000, 2100))
@click.argument("periode", metavar="PERIODE", type=click.IntRange(0, 5))
@_REGISTER
@_store_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table, or the status as JSON (as /status/BOEKJAAR/PERIODE gives it).",
)
def status_command(
    year: int,
    periode: int,
    register_path: Path | None,
    store_directory: Path | None,
    sparql_endpoint: str | None,
    output_format: str,
) -> None:
    """Show per government of the register whether it delivered for a period.

    PERIODE is 0 (begroting), 1-4 (quarters) or 5 (jaarrekening). Per government:
    delivered, valid, the latest version, when it was received, its placement and
    whether it was late. Exit code 3 when the register cannot be read.
    """
    from iv3ld.sources import read_register
    from iv3ld.state import StateDirectory
    from iv3ld.status import delivery_status

    settings = _settings(store_directory, sparql_endpoint)
    try:
        sources = read_register(register_path or settings.register_path)
    except InputError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_UNREADABLE)
    try:
        state = StateDirectory(settings.state_directory)
        status = delivery_status(state, sources, year, periode)
    except StoreError as error:
        _fail_store(str(error))

    if output_format == "json":
        click.echo(json.dumps(status.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(_status_text(status))


_STATUS_COLUMNS = (
    "overheid",
    "geleverd",
    "geldig",
    "te laat",
    "ontvangen",
    "plaatsing",
    "versie",
)


def _status_text(status: Any) -> str:
    dates = status.schedule
    lines = [
        f"boekjaar {status.year} periode {status.periode}: deadline"
        f" {dates.deadline.isoformat()}, 1e plaatsing {dates.first_round.isoformat()},"
        f" 2e plaatsing {dates.second_round.isoformat()}",
        "\t".join(_STATUS_COLUMNS),
    ]
    for row in status.rows:
        received = row.received.isoformat() if row.received else "-"
        placement = row.placement.label if row.placement else "-"
        late = {True: "ja", False: "nee", None: "-"}[row.late]
        cells = [
            row.government,
            "ja" if row.delivered else "nee",
            "ja" if row.valid else "nee",
            late,
            received,
            placement,
            row.version or "-",
        ]
        lines.append("\t".join(cells))
    counts = ", ".join(f"{count} {name}" for name, count in status.counts().items())
    lines.append(counts)
    return "\n".join(lines)


@main.group("tokens")
def tokens_group() -> None:
    """Bearer tokens with which a government delivers its submissions."""


@tokens_group.command("create")
@click.argument("government")
@click.option("--label", default="", help="A note on who holds the token.")
@_store_options
def tokens_create(
    government: str,
    label: str,
    store_directory: Path | None,
    sparql_endpoint: str | None,
) -> None:
    """Create a token for GOVERNMENT (GM0363, PV27, GR…); it is shown only once."""
    from iv3ld.state import StateDirectory
    from iv3ld.tokens import create_token

    settings = _settings(store_directory, sparql_endpoint)
    try:
        token = create_token(
            StateDirectory(settings.state_directory), government, label
        )
    except InputError as error:
        raise click.BadParameter(error.message, param_hint="GOVERNMENT") from None
    except StoreError as error:
        _fail_store(str(error))
    click.echo(token)
    click.echo(
        f"token for {government.upper()} created; it is stored only as a digest,"
        " so keep it now",
        err=True,
    )


@tokens_group.command("list")
@click.argument("government", required=False)
@_store_options
def tokens_list(
    government: str | None, store_directory: Path | None, sparql_endpoint: str | None
) -> None:
    """List the tokens (of GOVERNMENT, or all): id, government, state, label."""
    from iv3ld.state import StateDirectory
    from iv3ld.tokens import list_tokens

    settings = _settings(store_directory, sparql_endpoint)
    try:
        records = list_tokens(StateDirectory(settings.state_directory), government)
    except InputError as error:
        raise click.BadParameter(error.message, param_hint="GOVERNMENT") from None
    except StoreError as error:
        _fail_store(str(error))
    for record in records:
        state = f"revoked {record.revoked}" if record.revoked else "active"
        used = f", last used {record.last_used}" if record.last_used else ""
        click.echo(
            f"{record.id}\t{record.government}\t{state}{used}\t"
            f"created {record.created}\t{record.label}"
        )


@tokens_group.command("revoke")
@click.argument("government")
@click.option("--id", "token_id", type=int, help="Revoke only this token.")
@_store_options
def tokens_revoke(
    government: str,
    token_id: int | None,
    store_directory: Path | None,
    sparql_endpoint: str | None,
) -> None:
    """Revoke the tokens of GOVERNMENT (or one, with --id)."""
    from iv3ld.state import StateDirectory
    from iv3ld.tokens import revoke_tokens

    settings = _settings(store_directory, sparql_endpoint)
    try:
        count = revoke_tokens(
            StateDirectory(settings.state_directory), government, token_id
        )
    except InputError as error:
        raise click.BadParameter(error.message, param_hint="GOVERNMENT") from None
    except StoreError as error:
        _fail_store(str(error))
    click.echo(f"revoked {count} token(s) of {government.upper()}")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port.")
@_store_options
def serve_command(
    host: str, port: int, store_directory: Path | None, sparql_endpoint: str | None
) -> None:
    """Serve the store: SPARQL endpoint, resource pages, downloads, catalogue.

    On an empty store it first loads the vocabulary, code lists, regions and the
    bundled example submissions.
    """
    import uvicorn

    from iv3ld.web import create_app
    from iv3ld.web.app import prepare_store

    if logging.getLogger().getEffectiveLevel() > logging.INFO:
        logging.getLogger().setLevel(logging.INFO)
    settings = _settings(store_directory, sparql_endpoint)
    with _opened(settings) as (store, state):
        try:
            prepare_store(store, settings, state)
            app = create_app(settings, store, state)
        except ConfigurationError as error:
            _fail_store(str(error))
        click.echo(f"iv3ld serving {store.location} on http://{host}:{port}/", err=True)
        uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)


def _fail_store(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_STORE)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_UNREADABLE)
