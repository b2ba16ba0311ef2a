"""Build the example Iv3 submissions in ``examples/`` (CBS JSON format v2.1).

Usage: ``python scripts/build_examples.py [--data ../shared/data] [--out examples]``.

The data directory defaults to ``../shared/data`` next to the repository. Nothing from
it is copied into the repository: the definition files, the schema, the region list and
the real figures are read at build time. Every file has its own fixed random seed, so
two runs write byte-identical files (UTF-8, 2-space indent).

Files written (amounts are integers in thousands of euros, as in CBS open data):

- ``amsterdam-jaarrekening-2023.json``: gemeente Amsterdam, jaarrekening 2023. Real:
  the total lasten and baten per taakveld and category 1.1 (salaries) where the source
  gives it, from CBS Iv3 open data (2e plaatsing) as published by BZK in
  ``real/bzk_iv3_gemeenten_2023_jaarrekening_per_taakveld.csv``. Synthetic: the split
  of each total over the other categories, all balance mutations and positions, the
  kengetallen, the beleidsindicatoren and the detail rows.
- ``zuid-holland-begroting-2026.json``: provincie Zuid-Holland, begroting 2026, with
  synthetic figures of about 1.5 billion euros (not the real budget).
- ``gr-veiligheidsregio-jaarrekening-2024.json``: the fictional GR "Veiligheidsregio
  Voorbeeldregio". How GRs are numbered (``overheidsnummer``) is not documented in any
  public source; ``900001`` is made up.
- ``ongeldig-gemeente-2025.json``: a small fictional gemeente built like the others,
  then given deliberate defects, each listed in its ``opmerkingen``; for testing
  validators.

How the synthetic parts are made, so that the CBS checks hold by construction:

- Each taakveld total is split over categories allowed on its side
  (``categorie_lasten`` or ``categorie_baten``) and not grey for that taakveld in the
  year's ``grijze_cellen``: fixed weights per category, taakveld profiles (taxes on
  the OZB taakvelden, the algemene uitkering on 0.7, ...) and seeded jitter.
- Internal settlements balance (PF004): depreciation (7.3) on taakvelden returns as
  7.3 on the baten side of fixed assets (A12x); allocated interest (7.4) on taakvelden
  is matched by 7.4 baten of the treasury taakveld; additions to provisions (7.2) go to
  P12; reserve mutations (7.1) of the reserves taakveld go to P111/P112, the result
  taakveld to P114.
- Investments (3.2) are booked on A12x; financial posts move with 6.1 only (PF002);
  liquid assets (A23) close the balance mutations so that both sides are equal. Then
  EMU_LR - EMU_FR equals the difference between total lasten and total baten of the
  taakvelden (PF001, PF006). Category 6.1 is never booked on a taakveld (PF005).
- Opening positions make activa equal passiva (the algemene reserve P111 closes them);
  every ultimo position is the opening position plus the mutation (PF003, PF007,
  PF008).
- Categories 4.3.9 and 4.4.9 (onverdeeld) get small weights (PF009).

Last year's result (P114 at the opening) is moved to the algemene reserve with 7.1 on
the balance only.

Source quirks handled here, each said in the file's ``opmerkingen`` where it applies:

- The CSV uses the 2023 parent taakvelden 6.71, 6.72, 6.81 and 6.82, which are fully
  grey; a non-zero amount there is split pro rata over the sub-taakvelden (6.71a, ...).
- Real amounts on a cell without a white category (0.9 baten in 7 gemeenten, category
  1.1 on 0.9 or 0.11 in 2) are booked on the grey cell anyway.
- Real totals of lasten and baten are not adjusted; they differ slightly (Amsterdam:
  5, Schiermonnikoog and Terschelling: just over 0.1 %).
- The CSV names nine gemeenten without the CBS suffix ("Groningen", "Hengelo"); rows
  are found by open-data name, then name, then the name without its suffix.
- GM1961 Vijfheerenlanden has only zeros: ``build_jaarrekening`` refuses it.
- Provincie 2026 lists category ``4.6.6.``; codes are read stripped and without a
  trailing dot.

``build_jaarrekening`` builds the same kind of jaarrekening 2023 for any gemeente in
the CSV; benchmarks use ``detail_rows`` to pad a file with detail rows.

After writing, a self-check validates every file against the JSON schema, the code
lists, the grey cells and PF001-PF009 (``DOMAIN.md`` section 8), prints the computed
figures and stops with an error when a valid file fails or the invalid file passes.
Only PF001's threshold (1 %) is published; the others (``TOLERANCES``) are working
assumptions.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import math
import random
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPOSITORY.parent / "shared" / "data"
SEED = "iv3ld-examples-1"

Document = dict[str, Any]
Row = dict[str, Any]
Cell = tuple[str, str]
Profile = dict[str, dict[str, float]]

MUTATION_PARTS = ("lasten", "baten", "balans_lasten", "balans_baten")
OPPOSITE_PART = {
    "lasten": "baten",
    "baten": "lasten",
    "balans_lasten": "balans_baten",
    "balans_baten": "balans_lasten",
}
CATEGORY_LIST = {
    "lasten": "categorie_lasten",
    "baten": "categorie_baten",
    "balans_lasten": "categorie_lasten",
    "balans_baten": "categorie_baten",
}
CODE_KEY = {
    "lasten": "taakveld",
    "baten": "taakveld",
    "balans_lasten": "balanscode",
    "balans_baten": "balanscode",
}
BEGIN = "1 januari"
END = "ultimo"

AUTHOR = "iv3ld build_examples"
FINANCIAL_PACKAGE = "iv3ld voorbeeldgenerator"
EXPORT_SOFTWARE = "iv3ld scripts/build_examples.py"
UNIT_REMARK = (
    "Bedragen in duizenden euro's (afgerond op hele duizenden), zoals in CBS open data."
)


# --- Definition files -----------------------------------------------------------------


@dataclass(frozen=True)
class Definitions:
    """One CBS definition file: code lists, grey cells and check scopes of one year."""

    layer: str
    year: int
    codes: dict[str, tuple[str, ...]]
    labels: dict[str, dict[str, str]]
    category_groups: dict[str, str]
    grey: dict[str, frozenset[Cell]]
    checks: dict[str, tuple[dict[str, Any], ...]]
    corrections: tuple[str, ...]

    def allowed(self, part: str, code: str) -> list[str]:
        """Categories of the part's side that are not grey for this code."""
        grey = self.grey[part]
        return [
            cat for cat in self.codes[CATEGORY_LIST[part]] if (code, cat) not in grey
        ]

    def is_allowed(self, part: str, code: str, categorie: str) -> bool:
        """Whether a category is on the part's side and the cell is not grey."""
        in_list = categorie in self.codes[CATEGORY_LIST[part]]
        return in_list and (code, categorie) not in self.grey[part]

    def label(self, listname: str, code: str) -> str:
        """The label of a code, or the code itself when the list lacks it."""
        return self.labels[listname].get(code, code)

    def check_scope(self, foutcode: str, period: int) -> dict[str, Any] | None:
        """The calculation of a check that applies to a period, if any."""
        for calculation in self.checks.get(foutcode, ()):
            if period in calculation.get("periode", []):
                return calculation
        return None


def normalise_code(raw: str) -> str:
    """Strip a leaf code and drop a stray trailing dot: ``4.6.6.`` -> ``4.6.6``."""
    code = raw.strip()
    if code.endswith(".") and "." in code[:-1]:
        return code[:-1]
    return code


def iter_leaves(
    nodes: Iterable[dict[str, Any]], parent: str = ""
) -> Iterator[tuple[str, str, str]]:
    """Yield ``(code, label, parent code)`` for every leaf of a code-list tree."""
    for node in nodes:
        children = node.get("subcodes") or []
        if children:
            yield from iter_leaves(children, node["code"])
        else:
            yield node["code"], node["omschrijving"], parent


def read_code_lists(
    source: dict[str, Any], file_name: str
) -> tuple[
    dict[str, tuple[str, ...]], dict[str, dict[str, str]], dict[str, str], list[str]
]:
    """Read all code lists of a definition file as leaf codes, labels and groups."""
    codes: dict[str, tuple[str, ...]] = {}
    labels: dict[str, dict[str, str]] = {}
    groups: dict[str, str] = {}
    corrections: list[str] = []
    for listname, tree in source["codelijsten"].items():
        entries: list[str] = []
        labels[listname] = {}
        for raw, label, parent in iter_leaves(tree["codelijst"]):
            code = normalise_code(raw)
            if code != raw:
                corrections.append(f"{file_name} {listname}: {raw!r} -> {code!r}")
            entries.append(code)
            labels[listname][code] = label.strip()
            if listname.startswith("categorie_"):
                groups[code] = parent
        codes[listname] = tuple(entries)
    return codes, labels, groups, corrections


@functools.cache
def load_definitions(data_dir: Path, layer: str, year: int) -> Definitions:
    """Load ``cbs/iv3_definities_{layer}_{year}.json`` with normalised codes."""
    path = data_dir / "cbs" / f"iv3_definities_{layer}_{year}.json"
    source = json.loads(path.read_text(encoding="utf-8"))

    codes, labels, groups, corrections = read_code_lists(source, path.name)
    grey = {
        part: frozenset(
            (normalise_code(cell[CODE_KEY[part]]), normalise_code(cell["categorie"]))
            for cell in source["grijze_cellen"].get(part, [])
        )
        for part in MUTATION_PARTS
    }
    checks = {
        check["foutcode"]: tuple(check["calculaties"])
        for check in source.get("controles", [])
    }
    return Definitions(
        layer, year, codes, labels, groups, grey, checks, tuple(corrections)
    )


@functools.cache
def load_schema(data_dir: Path) -> dict[str, Any]:
    """Load the CBS JSON schema v2.1."""
    path = data_dir / "cbs" / "iv3_data_schema_v2_1_1.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


# --- Real figures ---------------------------------------------------------------------

REAL_FIGURES = Path("real") / "bzk_iv3_gemeenten_2023_jaarrekening_per_taakveld.csv"
REGIONS = Path("regions") / "gemeenten_cbs_2024.csv"


@dataclass(frozen=True)
class Gemeente:
    """A gemeente of the CBS region list, with its name in CBS Iv3 open data."""

    statcode: str
    number: str
    name: str
    opendata_name: str


@dataclass(frozen=True)
class TaskTotal:
    """Total lasten and baten of one taakveld, and its category 1.1 lasten."""

    lasten: int
    baten: int
    salaries: int = 0


@dataclass(frozen=True)
class RealFigures:
    """The real figures of one gemeente, mapped onto the 2023 taakveld codes.

    ``source`` holds the CSV rows per code; ``totals`` is the same after the amounts
    of fully grey parent taakvelden have been split over their sub-taakvelden.
    """

    source: dict[str, TaskTotal]
    totals: dict[str, TaskTotal]
    inhabitants: int
    notes: tuple[str, ...]
    label_differences: tuple[str, ...]


def load_gemeenten(data_dir: Path) -> dict[str, Gemeente]:
    """Read the gemeenten of 2024 by statcode (``GM0363``)."""
    with (data_dir / REGIONS).open(encoding="utf-8", newline="") as handle:
        return {
            row["statcode"]: Gemeente(
                row["statcode"],
                row["gemeentecode"],
                row["naam"],
                row["naam_in_iv3_opendata"],
            )
            for row in csv.DictReader(handle)
        }


def find_gemeente(data_dir: Path, statcode: str) -> Gemeente:
    """Return one gemeente; raise ValueError for a statcode not in the 2024 list."""
    gemeenten = load_gemeenten(data_dir)
    if statcode not in gemeenten:
        raise ValueError(
            f"unknown statcode {statcode!r}: use a code of {REGIONS}, e.g. 'GM0363'"
        )
    return gemeenten[statcode]


def source_names(gemeente: Gemeente) -> list[str]:
    """Names a gemeente may have in the CSV, most specific first.

    The CSV mostly uses the CBS open-data name, but for nine gemeenten it drops the
    suffix ("Groningen" for "Groningen (gemeente)", "Hengelo" for "Hengelo (O.)").
    """
    bare = re.sub(r"\s*\([^)]*\)$", "", gemeente.opendata_name)
    names = [gemeente.opendata_name, gemeente.name, bare]
    return list(dict.fromkeys(names))


@functools.cache
def read_real_csv(data_dir: Path) -> dict[str, tuple[dict[str, str], ...]]:
    """Read the real-figures CSV once, as rows per name in the ``Gemeenten`` column."""
    by_name: dict[str, list[dict[str, str]]] = {}
    with (data_dir / REAL_FIGURES).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            by_name.setdefault(row["Gemeenten"], []).append(row)
    return {name: tuple(rows) for name, rows in by_name.items()}


def read_real_rows(data_dir: Path, gemeente: Gemeente) -> list[dict[str, str]]:
    """The CSV rows of one gemeente, trying its names in order."""
    by_name = read_real_csv(data_dir)
    for name in source_names(gemeente):
        if name in by_name:
            return list(by_name[name])
    return []


def parse_thousands(text: str) -> int:
    """Round a CSV amount (float in thousands of euros, may be empty) to an integer."""
    return round(float(text)) if text.strip() else 0


def salary_column(row: dict[str, str]) -> str:
    """The name of the CSV column with category 1.1 of the lasten."""
    return next(name for name in row if name.startswith("L1.1"))


def label_matches(source_label: str, list_label: str) -> bool:
    """Whether a (possibly cut-off, ``..``) StatLine label fits the code-list label."""
    text = source_label.strip().removesuffix("..").strip().casefold()
    return list_label.strip().casefold().startswith(text)


def real_task_totals(
    rows: list[dict[str, str]], definitions: Definitions
) -> tuple[dict[str, TaskTotal], list[str]]:
    """Map CSV rows to taakveld codes; the label starts with the code."""
    totals: dict[str, TaskTotal] = {}
    differences: list[str] = []
    for row in rows:
        code, _, label = row["Taakveld"].partition(" ")
        if code not in definitions.labels["taakveld"]:
            raise ValueError(
                f"taakveld {code!r} of {REAL_FIGURES} not in the 2023 list"
            )
        if code in totals:
            raise ValueError(f"taakveld {code!r} twice for {row['Gemeenten']!r}")
        totals[code] = TaskTotal(
            parse_thousands(row["Lasten"]),
            parse_thousands(row["Baten"]),
            parse_thousands(row[salary_column(row)]),
        )
        list_label = definitions.label("taakveld", code)
        if not label_matches(label, list_label):
            differences.append(f"{code}: {label.strip()!r} vs {list_label!r}")
    ordered = {code: totals[code] for code in definitions.codes["taakveld"]}
    return {
        code: total for code, total in ordered.items() if code in totals
    }, differences


def fully_grey_parents(definitions: Definitions) -> dict[str, list[str]]:
    """Taakvelden grey on both sides whose sub-taakvelden carry a letter (6.71a)."""
    taakvelden = definitions.codes["taakveld"]
    parents: dict[str, list[str]] = {}
    for code in taakvelden:
        if definitions.allowed("lasten", code) or definitions.allowed("baten", code):
            continue
        children = [
            other
            for other in taakvelden
            if other.startswith(code) and other[len(code) :].isalpha()
        ]
        if children:
            parents[code] = children
    return parents


def pro_rata_weights(values: Sequence[int]) -> list[float]:
    """Weights proportional to the absolute values, equal when all are zero."""
    weights = [float(abs(value)) for value in values]
    return weights if sum(weights) > 0 else [1.0] * len(values)


def split_parent(
    totals: dict[str, TaskTotal], parent: str, children: list[str]
) -> str | None:
    """Move a parent's amounts to its children pro rata; return a note if it moved."""
    amount = totals.pop(parent, None)
    if amount is None or amount == TaskTotal(0, 0, 0):
        return None

    current = [totals.get(child, TaskTotal(0, 0, 0)) for child in children]
    lasten_weights = pro_rata_weights([total.lasten for total in current])
    baten_weights = pro_rata_weights([total.baten for total in current])
    lasten = split_amount(amount.lasten, lasten_weights)
    baten = split_amount(amount.baten, baten_weights)
    salaries = split_amount(amount.salaries, lasten_weights)

    for index, child in enumerate(children):
        old = current[index]
        totals[child] = TaskTotal(
            old.lasten + lasten[index],
            old.baten + baten[index],
            old.salaries + salaries[index],
        )
    return (
        f"Taakveld {parent} is in 2023 volledig grijs; de bedragen uit de bron "
        f"(lasten {dutch_number(amount.lasten)}, baten {dutch_number(amount.baten)}, "
        f"categorie 1.1 {dutch_number(amount.salaries)}) zijn naar rato verdeeld over "
        f"{', '.join(children)}."
    )


def load_real_figures(
    data_dir: Path, gemeente: Gemeente, definitions: Definitions
) -> RealFigures:
    """Read one gemeente's real figures; raise ValueError when it has none."""
    rows = read_real_rows(data_dir, gemeente)
    if not rows:
        raise ValueError(f"no rows for {gemeente.statcode} in {REAL_FIGURES}")

    source, differences = real_task_totals(rows, definitions)
    if all(total == TaskTotal(0, 0, 0) for total in source.values()):
        raise ValueError(
            f"{gemeente.statcode} has only zero amounts in {REAL_FIGURES} "
            "(no jaarrekening 2023 published); choose another gemeente"
        )
    totals = dict(source)
    notes = []
    for parent, children in fully_grey_parents(definitions).items():
        note = split_parent(totals, parent, children)
        if note:
            notes.append(note)

    order = definitions.codes["taakveld"]
    ordered = {code: totals[code] for code in order if code in totals}
    inhabitants = parse_thousands(rows[0].get("Inwonertal", ""))
    return RealFigures(source, ordered, inhabitants, tuple(notes), tuple(differences))


# --- Amounts --------------------------------------------------------------------------


def split_amount(amount: int, weights: Sequence[float]) -> list[int]:
    """Split an integer over weights; the parts add up exactly (largest remainder)."""
    if not weights or sum(weights) <= 0:
        raise ValueError("split_amount needs at least one positive weight")
    sign = -1 if amount < 0 else 1
    magnitude = abs(amount)
    total_weight = sum(weights)

    exact = [magnitude * weight / total_weight for weight in weights]
    parts = [math.floor(value) for value in exact]
    order = sorted(range(len(parts)), key=lambda i: exact[i] - parts[i], reverse=True)
    for index in order[: magnitude - sum(parts)]:
        parts[index] += 1
    return [sign * part for part in parts]


def dutch_number(value: int) -> str:
    """Format an integer with Dutch thousands separators: 7915843 -> 7.915.843."""
    return f"{value:,}".replace(",", ".")


def dutch_decimal(value: float) -> str:
    """Format a ratio as a kengetal value string with a decimal comma: 68,2."""
    return f"{value:.1f}".replace(".", ",")


# --- Ledger ---------------------------------------------------------------------------


@dataclass
class Ledger:
    """Amounts per (code, categorie) of the four mutation parts, plus positions."""

    cells: dict[str, dict[Cell, int]] = field(
        default_factory=lambda: {part: {} for part in MUTATION_PARTS}
    )
    begin: dict[str, int] = field(default_factory=dict)
    end: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, part: str, code: str, categorie: str, amount: int) -> None:
        """Add an amount to a cell; zero amounts are ignored."""
        if amount:
            key = (code, categorie)
            self.cells[part][key] = self.cells[part].get(key, 0) + amount

    def add_signed(self, part: str, code: str, categorie: str, amount: int) -> None:
        """Add a positive amount to ``part``, a negative one to the opposite side."""
        if amount < 0:
            self.add(OPPOSITE_PART[part], code, categorie, -amount)
        else:
            self.add(part, code, categorie, amount)

    def total(self, part: str, categorie: str | None = None) -> int:
        """Sum of a part, optionally of one category only."""
        return sum(
            amount
            for (_, cat), amount in self.cells[part].items()
            if categorie is None or cat == categorie
        )

    def mutation(self, code: str) -> int:
        """Mutation of a balance code: L - B for activa, B - L for passiva."""
        debit = sum(a for (c, _), a in self.cells["balans_lasten"].items() if c == code)
        credit = sum(a for (c, _), a in self.cells["balans_baten"].items() if c == code)
        return debit - credit if code.startswith("A") else credit - debit


@dataclass(frozen=True)
class LayerRoles:
    """Taakvelden with a fixed role in the statement of an overheidslaag."""

    reserves: str
    result: str
    treasury: str
    overhead: str


GEMEENTE_ROLES = LayerRoles(
    reserves="0.10", result="0.11", treasury="0.5", overhead="0.4"
)
ROLES = {
    "Gemeente": GEMEENTE_ROLES,
    "GR": GEMEENTE_ROLES,
    "Provincie": LayerRoles(
        reserves="0.8", result="0.9", treasury="0.3", overhead="0.6"
    ),
}


# --- Statement: taakveld x categorie --------------------------------------------------

INTERNAL_CATEGORIES = frozenset({"6.1", "7.1", "7.2", "7.3", "7.4", "7.5"})
NOT_SPREAD = INTERNAL_CATEGORIES | {"1.1"}
MINIMUM_FOR_CHARGES = 100
MINIMUM_FOR_SPREAD = 20
KEEP_PROBABILITY = 0.6
SPREAD_LIMITS = ((200, 2), (2_000, 4), (20_000, 7))
"""(amount below, at most this many categories) for spreading a taakveld total."""
FALLBACK_CATEGORY = "3.8"

BASE_WEIGHTS: dict[str, dict[str, float]] = {
    "lasten": {
        "3.8": 10.0,
        "4.2": 3.0,
        "3.5.1": 1.5,
        "4.3.3": 1.0,
        "4.3.8": 1.0,
        "3.2": 0.8,
        "4.3.2": 0.3,
        "2.1": 0.2,
        "4.4.8": 0.15,
        "4.5.8": 0.15,
        "4.3.1": 0.1,
        "4.6.8": 0.05,
        "3.3": 0.05,
        "4.3.9": 0.05,
        "4.4.9": 0.02,
    },
    "baten": {
        "3.8": 6.0,
        "4.3.1": 2.0,
        "3.6": 1.5,
        "3.7": 1.5,
        "4.3.8": 1.0,
        "4.3.2": 0.8,
        "3.5.2": 0.3,
        "4.3.3": 0.3,
        "3.2": 0.2,
        "4.3.7": 0.1,
        "4.3.9": 0.05,
    },
}

SOCIAL_CARE_PROFILE: Profile = {
    "lasten": {"3.4.1": 6.0, "3.8": 2.0, "4.3.3": 0.5},
    "baten": {"3.4.2": 2.0, "4.3.1": 1.0, "3.8": 0.5},
}
GEMEENTE_PROFILES: dict[str, Profile] = {
    "0.2": {"baten": {"3.7": 5.0, "3.8": 1.0}},
    "0.4": {
        "lasten": {"3.8": 4.0, "3.5.1": 2.0, "3.2": 0.5},
        "baten": {"3.8": 2.0, "3.5.2": 1.0},
    },
    "0.5": {"lasten": {"5.1": 8.0, "3.8": 1.0}, "baten": {"5.2": 5.0, "5.1": 3.0}},
    "0.61": {"baten": {"2.2.2": 1.0}},
    "0.62": {"baten": {"2.2.1": 1.0}},
    "0.63": {"baten": {"3.7": 4.0, "3.8": 1.0}},
    "0.64": {"baten": {"2.2.2": 3.0, "2.2.1": 1.0}},
    "0.7": {"baten": {"4.3.1": 1.0}},
    "0.9": {"lasten": {"2.1": 1.0}},
    "1.1": {"lasten": {"4.3.3": 6.0, "3.8": 1.0}},
    "2.2": {"baten": {"3.7": 2.0, "3.8": 2.0, "3.6": 1.0}},
    "6.3": {
        "lasten": {"4.1.1": 8.0, "3.8": 1.0, "4.3.8": 0.5},
        "baten": {"4.3.1": 6.0, "4.1.2": 1.0},
    },
    "6.4": {"lasten": {"4.3.3": 4.0, "4.2": 1.0, "3.8": 1.0}},
    "7.2": {"baten": {"2.2.2": 4.0, "3.8": 0.5}},
    "7.3": {"baten": {"3.7": 4.0, "3.8": 1.0}},
    "7.5": {"baten": {"3.7": 3.0, "3.8": 1.0}},
    "8.2": {"lasten": {"3.1": 3.0, "3.8": 3.0}, "baten": {"3.1": 6.0, "3.8": 1.0}},
}
SOCIAL_CARE_PREFIXES = ("6.6", "6.7", "6.8")

PROVINCIE_PROFILES: dict[str, Profile] = {
    "0.1": {"baten": {"4.3.1": 1.0}},
    "0.2": {"baten": {"2.2.2": 4.0, "2.2.1": 1.0}},
    "0.3": {"lasten": {"5.1": 1.0}, "baten": {"5.1": 2.0, "5.2": 1.0}},
    "0.4": {"baten": {"5.2": 1.0}},
    "0.7": {"lasten": {"2.1": 1.0}},
    "2.3": {
        "lasten": {"4.3.8": 5.0, "3.8": 1.0, "4.5.8": 0.5},
        "baten": {"4.3.1": 6.0, "3.8": 1.0},
    },
    "4.4": {"lasten": {"4.3.3": 5.0, "3.8": 1.0}, "baten": {"3.7": 1.0, "4.3.2": 1.0}},
    "5.1": {"baten": {"4.3.1": 4.0, "3.1": 1.0}},
}

VEILIGHEIDSREGIO_PROFILES: dict[str, Profile] = {
    "1.1": {
        "lasten": {"3.8": 5.0, "3.5.1": 1.0, "3.2": 0.5},
        "baten": {"4.3.2": 88.0, "4.3.1": 10.0, "3.8": 2.0},
    },
    "7.1": {"baten": {"4.3.2": 1.0}},
    "0.4": {"baten": {"3.8": 1.0}},
}


def gemeente_profile(code: str) -> Profile:
    """Category preferences of a gemeente taakveld (empty: the base weights)."""
    if code in GEMEENTE_PROFILES:
        return GEMEENTE_PROFILES[code]
    if code.startswith(SOCIAL_CARE_PREFIXES):
        return SOCIAL_CARE_PROFILE
    return {}


def provincie_profile(code: str) -> Profile:
    """Category preferences of a provincie taakveld."""
    return PROVINCIE_PROFILES.get(code, {})


def veiligheidsregio_profile(code: str) -> Profile:
    """Category preferences of a veiligheidsregio (a GR on the gemeente list)."""
    return {**gemeente_profile(code), **VEILIGHEIDSREGIO_PROFILES.get(code, {})}


def book_statement(
    ledger: Ledger,
    totals: dict[str, TaskTotal],
    definitions: Definitions,
    rng: random.Random,
    profile: Callable[[str], Profile],
) -> None:
    """Split every taakveld total over categories; the totals are kept exactly."""
    rests = book_fixed_parts(ledger, totals, definitions)

    book_internal_charges(ledger, rests, definitions, rng)

    for (part, code), amount in rests.items():
        book_spread(ledger, part, code, amount, definitions, rng, profile(code))


def book_cell(
    ledger: Ledger,
    definitions: Definitions,
    cell: tuple[str, str, str],
    amount: int,
    reason: str,
) -> None:
    """Book an amount the source dictates; a grey cell is booked anyway and noted."""
    part, code, categorie = cell
    if amount and not definitions.is_allowed(part, code, categorie):
        ledger.notes.append(
            f"Grijze cel {part} {code} x {categorie} gebruikt "
            f"({dutch_number(amount)}): {reason}."
        )
    ledger.add(part, code, categorie, amount)


def book_fixed_parts(
    ledger: Ledger, totals: dict[str, TaskTotal], definitions: Definitions
) -> dict[tuple[str, str], int]:
    """Book salaries (1.1) and reserve/result mutations (7.1); return what is left."""
    roles = ROLES[definitions.layer]
    rests: dict[tuple[str, str], int] = {}
    for code, total in totals.items():
        reason = "categorie 1.1 uit de bron"
        book_cell(ledger, definitions, ("lasten", code, "1.1"), total.salaries, reason)
        lasten, baten = total.lasten - total.salaries, total.baten

        if code in (roles.reserves, roles.result):
            reason = "mutaties reserves en resultaat horen op categorie 7.1"
            book_cell(ledger, definitions, ("lasten", code, "7.1"), lasten, reason)
            book_cell(ledger, definitions, ("baten", code, "7.1"), baten, reason)
            lasten = baten = 0

        rests[("lasten", code)] = lasten
        rests[("baten", code)] = baten
    return rests


def book_internal_charges(
    ledger: Ledger,
    rests: dict[tuple[str, str], int],
    definitions: Definitions,
    rng: random.Random,
) -> None:
    """Book depreciation (7.3), provision additions (7.2) and interest (7.4)."""
    roles = ROLES[definitions.layer]
    depreciation = book_depreciation(ledger, rests, definitions, rng, roles)

    book_provision_additions(ledger, rests, definitions, rng, roles)

    book_allocated_interest(ledger, rests, definitions, depreciation, roles)


def charge_candidates(
    rests: dict[tuple[str, str], int],
    definitions: Definitions,
    roles: LayerRoles,
    categorie: str,
) -> list[tuple[str, int]]:
    """Taakvelden whose remaining lasten can carry an internal charge category."""
    skipped = (roles.reserves, roles.result, roles.treasury)
    return [
        (code, rest)
        for (part, code), rest in rests.items()
        if part == "lasten"
        and code not in skipped
        and rest >= MINIMUM_FOR_CHARGES
        and definitions.is_allowed("lasten", code, categorie)
    ]


def book_depreciation(
    ledger: Ledger,
    rests: dict[tuple[str, str], int],
    definitions: Definitions,
    rng: random.Random,
    roles: LayerRoles,
) -> dict[str, int]:
    """Charge 2-7 % of each taakveld's remaining lasten as depreciation (7.3)."""
    booked: dict[str, int] = {}
    for code, rest in charge_candidates(rests, definitions, roles, "7.3"):
        amount = round(rest * rng.uniform(0.02, 0.07))
        ledger.add("lasten", code, "7.3", amount)
        rests[("lasten", code)] -= amount
        booked[code] = amount
    return booked


def book_provision_additions(
    ledger: Ledger,
    rests: dict[tuple[str, str], int],
    definitions: Definitions,
    rng: random.Random,
    roles: LayerRoles,
) -> None:
    """Add to provisions (7.2) on about one taakveld in seven."""
    for code, rest in charge_candidates(rests, definitions, roles, "7.2"):
        if rng.random() < 0.15:
            amount = round(rest * rng.uniform(0.003, 0.012))
            ledger.add("lasten", code, "7.2", amount)
            rests[("lasten", code)] -= amount


def book_allocated_interest(
    ledger: Ledger,
    rests: dict[tuple[str, str], int],
    definitions: Definitions,
    depreciation: dict[str, int],
    roles: LayerRoles,
) -> None:
    """Allocate interest (7.4) from the treasury taakveld to taakvelden with assets."""
    treasury = ("baten", roles.treasury)
    treasury_baten = rests.get(treasury, 0)
    receivers = {
        code: amount
        for code, amount in depreciation.items()
        if amount > 0 and definitions.is_allowed("lasten", code, "7.4")
    }
    if treasury_baten <= 0 or not receivers:
        return
    if not definitions.is_allowed("baten", roles.treasury, "7.4"):
        return

    total = min(round(treasury_baten * 0.6), sum(receivers.values()) // 2)
    shares = split_amount(total, list(receivers.values()))
    for code, share in zip(receivers, shares, strict=True):
        ledger.add("lasten", code, "7.4", share)
        rests[("lasten", code)] -= share
    ledger.add("baten", roles.treasury, "7.4", total)
    rests[treasury] -= total


def category_weights(
    part: str, code: str, definitions: Definitions, profile: Profile
) -> dict[str, float]:
    """Allowed categories with weights, highest first: profile, base, any allowed."""
    allowed = [cat for cat in definitions.allowed(part, code) if cat not in NOT_SPREAD]
    for candidate in (profile.get(part, {}), BASE_WEIGHTS[part]):
        weights = {cat: w for cat, w in candidate.items() if cat in allowed and w > 0}
        if weights:
            return dict(sorted(weights.items(), key=lambda item: -item[1]))
    return {cat: 1.0 for cat in allowed[:1]}


def category_limit(amount: int) -> int:
    """How many categories an amount may be spread over: few for small amounts."""
    for ceiling, limit in SPREAD_LIMITS:
        if amount < ceiling:
            return limit
    return len(BASE_WEIGHTS["lasten"]) + len(BASE_WEIGHTS["baten"])


def choose_categories(
    weights: dict[str, float], limit: int, rng: random.Random
) -> dict[str, float]:
    """Keep the main category and a random subset of the others (at most ``limit``
    in all), with jitter."""
    items = list(weights.items())
    main, main_weight = items[0]
    chosen = {main: main_weight * rng.uniform(0.8, 1.2)}
    for categorie, weight in items[1:]:
        if len(chosen) < limit and rng.random() < KEEP_PROBABILITY:
            chosen[categorie] = weight * rng.uniform(0.4, 1.6)
    return chosen


def book_spread(
    ledger: Ledger,
    part: str,
    code: str,
    amount: int,
    definitions: Definitions,
    rng: random.Random,
    profile: Profile,
) -> None:
    """Spread a remaining amount over allowed categories (a small or negative one
    goes to the main category only)."""
    if amount == 0:
        return
    weights = category_weights(part, code, definitions, profile)
    if not weights:
        reason = "geen witte categorie voor dit taakveld; bedrag uit de bron"
        book_cell(ledger, definitions, (part, code, FALLBACK_CATEGORY), amount, reason)
        return
    if amount < MINIMUM_FOR_SPREAD:
        ledger.add(part, code, next(iter(weights)), amount)
        return

    chosen = choose_categories(weights, category_limit(amount), rng)
    shares = split_amount(amount, list(chosen.values()))
    for categorie, share in zip(chosen, shares, strict=True):
        ledger.add(part, code, categorie, share)


# --- Balance sheet --------------------------------------------------------------------

ASSET_MIX = {
    "A123": (0.30, 35),
    "A124": (0.45, 30),
    "A125": (0.05, 8),
    "A126": (0.10, 12),
    "A129": (0.10, 15),
}
"""Fixed-asset codes: share of depreciation and investment, and lifetime in years."""

FINANCIAL_OPENING = (("A1322", 0.03), ("A224", 0.05), ("A29d", 0.02), ("A23", 0.01))
"""Financial activa at the opening, as a share of the year's lasten."""

LIABILITY_OPENING = (("P12", 0.04), ("P133", 0.40), ("P213", 0.05), ("P29d", 0.03))
"""Passiva other than equity at the opening, as a share of total activa."""

WORKING_CAPITAL = (
    ("A224", "balans_lasten"),
    ("A29d", "balans_lasten"),
    ("P213", "balans_baten"),
    ("P29d", "balans_baten"),
)
"""Posts that move by up to 10 % with 6.1; the part books an increase."""


def first_allowed(
    definitions: Definitions, part: str, code: str, candidates: Sequence[str]
) -> str | None:
    """The first candidate category that is allowed for a balance code."""
    return next(
        (cat for cat in candidates if definitions.is_allowed(part, code, cat)), None
    )


def book_balance(ledger: Ledger, definitions: Definitions, rng: random.Random) -> None:
    """Build balance mutations and positions that close the statement by design."""
    roles = ROLES[definitions.layer]
    scale = max(
        1,
        sum(
            amount
            for (code, _), amount in ledger.cells["lasten"].items()
            if code not in (roles.reserves, roles.result)
        ),
    )
    prior_result = round(scale * rng.uniform(0.002, 0.012))

    book_reserve_mutations(ledger, roles, rng, prior_result)
    depreciation = book_fixed_assets(ledger, definitions, rng)
    book_provision_mutations(ledger, definitions, rng)

    open_balance(ledger, rng, scale, depreciation, prior_result)

    book_financing(ledger, rng)
    book_liquidity(ledger, scale)

    close_balance(ledger)


def book_reserve_mutations(
    ledger: Ledger, roles: LayerRoles, rng: random.Random, prior_result: int
) -> None:
    """Mirror 7.1 of the reserves taakveld on P111/P112 and of the result on P114.

    Last year's result (P114 at the opening) is added to the algemene reserve.
    """
    general_share = rng.uniform(0.2, 0.4)
    for part, balance_part in (("lasten", "balans_baten"), ("baten", "balans_lasten")):
        for (code, categorie), amount in list(ledger.cells[part].items()):
            if categorie != "7.1":
                continue
            if code == roles.result:
                ledger.add_signed(balance_part, "P114", "7.1", amount)
                continue
            general = round(amount * general_share)
            ledger.add_signed(balance_part, "P111", "7.1", general)
            ledger.add_signed(balance_part, "P112", "7.1", amount - general)

    ledger.add("balans_lasten", "P114", "7.1", prior_result)
    ledger.add("balans_baten", "P111", "7.1", prior_result)


def book_fixed_assets(
    ledger: Ledger, definitions: Definitions, rng: random.Random
) -> dict[str, int]:
    """Book depreciation (7.3) and investments (3.2, land 3.1) on A12x."""
    depreciation = ledger.total("lasten", "7.3") - ledger.total("baten", "7.3")
    codes = list(ASSET_MIX)
    weights = [ASSET_MIX[code][0] for code in codes]
    investment = round(depreciation * rng.uniform(1.1, 1.5))

    per_code = dict(zip(codes, split_amount(depreciation, weights), strict=True))
    invested = split_amount(investment, weights)
    for code, amount in zip(codes, invested, strict=True):
        ledger.add("balans_baten", code, "7.3", per_code[code])
        ledger.add("balans_lasten", code, "3.2", amount)
    ledger.add("balans_lasten", "A121", "3.1", round(investment * 0.05))

    contribution = first_allowed(
        definitions, "balans_baten", "A124", ("4.4.1", "4.5.1")
    )
    if contribution:
        ledger.add("balans_baten", "A124", contribution, round(investment * 0.08))
    return per_code


def book_provision_mutations(
    ledger: Ledger, definitions: Definitions, rng: random.Random
) -> None:
    """Mirror 7.2 of the taakvelden on P12 and spend part of it (3.8)."""
    net_addition = ledger.total("lasten", "7.2") - ledger.total("baten", "7.2")
    ledger.add_signed("balans_baten", "P12", "7.2", net_addition)

    usage = first_allowed(definitions, "balans_lasten", "P12", ("3.8",))
    if usage and net_addition > 0:
        amount = round(net_addition * rng.uniform(0.5, 0.9))
        ledger.add("balans_lasten", "P12", usage, amount)


def outflow(ledger: Ledger, code: str) -> int:
    """How much a post decreases in the year (0 when it grows)."""
    return max(0, -ledger.mutation(code))


def open_balance(
    ledger: Ledger,
    rng: random.Random,
    scale: int,
    depreciation: dict[str, int],
    prior_result: int,
) -> None:
    """Choose opening positions; the algemene reserve makes activa equal passiva."""
    begin = ledger.begin
    for code, amount in depreciation.items():
        begin[code] = round(amount * ASSET_MIX[code][1] * rng.uniform(0.85, 1.15))
    begin["A121"] = round(sum(begin.values()) * 0.08)
    for code, share in FINANCIAL_OPENING:
        begin[code] = round(scale * share * rng.uniform(0.8, 1.2))

    activa = sum(begin.values())
    for code, share in LIABILITY_OPENING:
        begin[code] = round(activa * share * rng.uniform(0.9, 1.1))
    begin["P12"] = max(begin["P12"], outflow(ledger, "P12"))
    begin["P112"] = max(round(activa * 0.15), outflow(ledger, "P112") + activa // 50)
    begin["P114"] = prior_result

    close_opening(ledger, activa)


def close_opening(ledger: Ledger, activa: int) -> None:
    """Set P111 to activa minus other passiva; grow A124 if P111 would run short."""
    begin = ledger.begin
    others = sum(amount for code, amount in begin.items() if code.startswith("P"))
    minimum = outflow(ledger, "P111") + activa // 50
    general = activa - others
    if general < minimum:
        begin["A124"] = begin.get("A124", 0) + minimum - general
        general = minimum
    begin["P111"] = general


def book_financing(ledger: Ledger, rng: random.Random) -> None:
    """Repay and raise long-term debt, loans granted and working capital, with 6.1."""
    begin = ledger.begin
    repayment = round(begin["P133"] / 20)
    ledger.add("balans_lasten", "P133", "6.1", repayment)
    ledger.add("balans_baten", "P133", "6.1", round(repayment * rng.uniform(0.8, 1.4)))

    ledger.add("balans_baten", "A1322", "6.1", round(begin["A1322"] * 0.05))
    granted = round(begin["A1322"] * rng.uniform(0.0, 0.08))
    ledger.add("balans_lasten", "A1322", "6.1", granted)

    for code, part in WORKING_CAPITAL:
        change = round(begin[code] * rng.uniform(-0.1, 0.1))
        ledger.add_signed(part, code, "6.1", change)


def book_liquidity(ledger: Ledger, scale: int) -> None:
    """Close the balance mutations on A23 (6.1); borrow more if cash would run low."""
    needed = ledger.total("balans_baten") - ledger.total("balans_lasten")
    shortfall = scale // 200 - (ledger.begin["A23"] + needed)
    if shortfall > 0:
        ledger.add("balans_baten", "P133", "6.1", shortfall)
        needed += shortfall
    ledger.add_signed("balans_lasten", "A23", "6.1", needed)


def close_balance(ledger: Ledger) -> None:
    """Ultimo position of every post: opening plus mutation."""
    codes = set(ledger.begin)
    for part in ("balans_lasten", "balans_baten"):
        codes.update(code for code, _ in ledger.cells[part])
    ledger.end = {
        code: ledger.begin.get(code, 0) + ledger.mutation(code)
        for code in sorted(codes)
    }


# --- Kengetallen and beleidsindicatoren -----------------------------------------------

SALARY_PER_FTE = 80
"""Thousands of euros of category 1.1 per fte, to estimate formatie and bezetting."""


def sum_positions(positions: dict[str, int], prefixes: tuple[str, ...]) -> int:
    """Sum of the positions whose code starts with one of the prefixes."""
    return sum(
        amount for code, amount in positions.items() if code.startswith(prefixes)
    )


def kengetallen(
    ledger: Ledger, definitions: Definitions, rng: random.Random
) -> dict[str, float]:
    """Approximate fk.1-fk.6 from the (synthetic) ultimo balance; fk.4 and fk.6 are
    drawn from a plausible range."""
    roles = ROLES[definitions.layer]
    baten = sum(
        amount
        for (code, _), amount in ledger.cells["baten"].items()
        if code != roles.reserves
    )
    baten = max(baten, 1)
    end = ledger.end
    debt = sum_positions(end, ("P13", "P14", "P2"))
    liquid = sum_positions(end, ("A1332", "A22", "A23", "A29"))
    loans = sum_positions(end, ("A132", "A1331"))
    passiva = max(sum_positions(end, ("P",)), 1)
    return {
        "fk.1": (debt - liquid) / baten * 100,
        "fk.2": (debt - liquid - loans) / baten * 100,
        "fk.3": sum_positions(end, ("P11",)) / passiva * 100,
        "fk.4": rng.uniform(-1.0, 3.0),
        "fk.5": sum_positions(end, ("A213",)) / baten * 100,
        "fk.6": rng.uniform(85.0, 115.0),
    }


def beleidsindicatoren(
    ledger: Ledger, definitions: Definitions, inhabitants: int, rng: random.Random
) -> dict[str, float]:
    """Estimate bi.1-bi.5 from the lasten: fte from salaries, inhuur from 3.5.1."""
    salaries = ledger.total("lasten", "1.1")
    hired = ledger.total("lasten", "3.5.1")
    overhead_code = ROLES[definitions.layer].overhead
    overhead = sum(
        amount
        for (code, _), amount in ledger.cells["lasten"].items()
        if code == overhead_code
    )
    occupation = salaries / SALARY_PER_FTE / inhabitants * 1000
    return {
        "bi.1": occupation * rng.uniform(1.03, 1.08),
        "bi.2": occupation,
        "bi.3": (salaries + hired) * 1000 / inhabitants,
        "bi.4": hired / max(salaries + hired, 1) * 100,
        "bi.5": overhead / max(ledger.total("lasten"), 1) * 100,
    }


def indicator_rows(
    values: dict[str, float], key: str, period: str, definitions: Definitions
) -> list[Row]:
    """Rows of kengetallen or beleidsindicatoren; raise on a code not in the list."""
    listname = "kengetallen" if key == "kengetal" else "beleidsindicatoren"
    if period not in definitions.codes["verslagperiode"]:
        raise ValueError(
            f"verslagperiode {period!r} not in the {definitions.year} list"
        )
    rows = []
    for code, value in values.items():
        if code not in definitions.codes[listname]:
            raise ValueError(f"{key} {code!r} not in the {definitions.year} list")
        rows.append(
            {"verslagperiode": period, key: code, "waarde": dutch_decimal(value)}
        )
    return rows


# --- Documents ------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """Metadata and contact of a submission."""

    layer: str
    number: str
    name: str
    year: int
    period: int
    date: str
    details_public: bool
    contact_email: str


def metadata(header: Header) -> dict[str, Any]:
    """The ``metadata`` object with all ten keys of schema v2.1."""
    return {
        "overheidslaag": header.layer,
        "overheidsnummer": header.number,
        "overheidsnaam": header.name,
        "boekjaar": header.year,
        "periode": header.period,
        "status": "Begroting" if header.period == 0 else "Realisatie",
        "datum": header.date,
        "details_openbaar": header.details_public,
        "financieel_pakket": FINANCIAL_PACKAGE,
        "export_software": EXPORT_SOFTWARE,
    }


def contact(header: Header) -> dict[str, str]:
    """A fictitious contact (schema v2.1 requires naam, email and telefoon)."""
    return {
        "naam": "Team Iv3 (voorbeeld)",
        "email": header.contact_email,
        "telefoon": "0000000000",
    }


def position_index(codes: Sequence[str]) -> dict[str, int]:
    """Position of each code in its list, for sorting rows in list order."""
    return {code: index for index, code in enumerate(codes)}


def mutation_rows(ledger: Ledger, definitions: Definitions, part: str) -> list[Row]:
    """Rows of one mutation part in code-list order; zero cells are left out."""
    key = CODE_KEY[part]
    code_order = position_index(definitions.codes[key])
    category_order = position_index(definitions.codes[CATEGORY_LIST[part]])
    cells = sorted(
        (cell for cell in ledger.cells[part].items() if cell[1] != 0),
        key=lambda cell: (
            code_order.get(cell[0][0], len(code_order)),
            category_order.get(cell[0][1], len(category_order)),
        ),
    )
    return [
        {key: code, "categorie": categorie, "bedrag": amount}
        for (code, categorie), amount in cells
    ]


def position_rows(ledger: Ledger, definitions: Definitions) -> list[Row]:
    """Opening (``1 januari``) and ``ultimo`` positions in code-list order."""
    order = position_index(definitions.codes["balanscode"])
    rows: list[Row] = []
    for code in sorted(ledger.end, key=lambda code: order.get(code, len(order))):
        for standper, amount in (
            (BEGIN, ledger.begin.get(code, 0)),
            (END, ledger.end[code]),
        ):
            if amount:
                rows.append(
                    {"balanscode": code, "standper": standper, "bedrag": amount}
                )
    return rows


def assemble(
    header: Header,
    ledger: Ledger,
    definitions: Definitions,
    remarks: Sequence[str],
    indicators: dict[str, list[Row]],
) -> Document:
    """Put a submission together in schema order; positions only for a jaarrekening."""
    data: dict[str, Any] = {
        part: mutation_rows(ledger, definitions, part) for part in MUTATION_PARTS
    }
    data["balans_standen"] = (
        position_rows(ledger, definitions) if header.period == 5 else []
    )
    data.update(indicators)
    return {
        "metadata": metadata(header),
        "contact": contact(header),
        "opmerkingen": [{"tekst": text, "auteur": AUTHOR} for text in remarks],
        "data": data,
    }


# --- Detail rows ----------------------------------------------------------------------


def plan_detail_parts(
    amounts: Sequence[int], extra_rows: int, rng: random.Random
) -> list[int]:
    """Decide into how many rows each cell is split to add about ``extra_rows`` rows.

    A first pass splits cells (large ones more likely first) into 2-4 rows; further
    passes add one row per cell until enough rows exist or no cell can be split more
    (a part is at least 1).
    """
    parts = [1] * len(amounts)
    order = sorted(
        range(len(amounts)), key=lambda i: -abs(amounts[i]) * rng.uniform(0.2, 1.0)
    )
    remaining = extra_rows
    for index in order:
        if remaining <= 0:
            break
        parts[index] = min(rng.randint(2, 4), abs(amounts[index]), remaining + 1)
        remaining -= parts[index] - 1

    grown = True
    while remaining > 0 and grown:
        grown = False
        for index in order:
            if remaining > 0 and parts[index] < abs(amounts[index]):
                parts[index] += 1
                remaining -= 1
                grown = True
    return parts


def split_positive(amount: int, parts: int, rng: random.Random) -> list[int]:
    """Split an amount into non-zero parts of the same sign, adding up exactly."""
    sign = -1 if amount < 0 else 1
    base = split_amount(
        abs(amount) - parts, [rng.uniform(0.5, 1.5) for _ in range(parts)]
    )
    return [sign * (1 + share) for share in base]


def detail_object(
    part: str, row: Row, number: int, definitions: Definitions
) -> dict[str, str]:
    """Fictitious ledger account, cost centre and description of one detail row."""
    prefix = "4" if part == "lasten" else "8"
    categorie = row["categorie"]
    taakveld = row["taakveld"]
    return {
        "grootboek": f"{prefix}{categorie.replace('.', '')}{number:02d}",
        "kostenplaats": f"KP{taakveld.replace('.', '')}{number:02d}",
        "omschrijving": (
            f"{definitions.label(CATEGORY_LIST[part], categorie)} - "
            f"{definitions.label('taakveld', taakveld)}, deelpost {number}"
        ),
    }


def add_detail_rows(
    document: Document, extra_rows: int, definitions: Definitions, rng: random.Random
) -> None:
    """Split lasten/baten cells into detail rows with ``details``, adding about
    ``extra_rows`` rows; the parts of a cell add up to the cell."""
    if extra_rows <= 0:
        return
    roles = ROLES[definitions.layer]
    data = document["data"]
    eligible = [
        (part, index)
        for part in ("lasten", "baten")
        for index, row in enumerate(data[part])
        if row["categorie"] not in NOT_SPREAD
        and row["taakveld"] not in (roles.reserves, roles.result)
        and abs(row["bedrag"]) >= 2
    ]
    amounts = [data[part][index]["bedrag"] for part, index in eligible]
    plan = dict(zip(eligible, plan_detail_parts(amounts, extra_rows, rng), strict=True))

    for part in ("lasten", "baten"):
        rows: list[Row] = []
        for index, row in enumerate(data[part]):
            parts = plan.get((part, index), 1)
            if parts == 1:
                rows.append(row)
                continue
            for number, share in enumerate(
                split_positive(row["bedrag"], parts, rng), 1
            ):
                detail = detail_object(part, row, number, definitions)
                rows.append({**row, "bedrag": share, "details": detail})
        data[part] = rows


# --- Examples -------------------------------------------------------------------------

JAARREKENING_2023_DATE = "2024-07-10T09:30:00+02:00"
AMSTERDAM_DETAIL_ROWS = 8
SYNTHETIC_REMARK = (
    "Synthetisch (iv3ld voorbeeldgenerator, vaste seed): de verdeling van de totalen "
    "over de overige economische categorieën, alle balansmutaties en balansstanden, "
    "de kengetallen en de beleidsindicatoren. Dit is niet de echte jaarrekening van "
    "{name}."
)


def statement_difference(totals: dict[str, TaskTotal]) -> tuple[int, int]:
    """Total lasten and total baten over all taakvelden."""
    return (
        sum(total.lasten for total in totals.values()),
        sum(total.baten for total in totals.values()),
    )


def jaarrekening_remarks(
    gemeente: Gemeente, figures: RealFigures, ledger: Ledger, detail_rows: int
) -> list[str]:
    """Explain what is real and what is synthetic, and the source's own balance."""
    lasten, baten = statement_difference(figures.source)
    remarks = [
        UNIT_REMARK,
        "Echt: totaal lasten en baten per taakveld en categorie 1.1 (salarissen) waar "
        "bekend, uit CBS Iv3 open data jaarrekening 2023 (2e plaatsing, via BZK).",
        SYNTHETIC_REMARK.format(name=gemeente.name),
        f"Totaal lasten taakvelden {dutch_number(lasten)}, totaal baten taakvelden "
        f"{dutch_number(baten)}: verschil {dutch_number(lasten - baten)} "
        "(echte cijfers, niet aangepast).",
        *figures.notes,
        *ledger.notes,
    ]
    if detail_rows > 0:
        remarks.append(
            "Detailregels (grootboek, kostenplaats, omschrijving) zijn fictief; per "
            "cel tellen hun bedragen op tot het bedrag van de cel."
        )
    return remarks


def build_jaarrekening(statcode: str, data_dir: Path, detail_rows: int = 0) -> Document:
    """Build a jaarrekening 2023 for any gemeente of the real CSV (``GM0363``).

    Real lasten/baten per taakveld and category 1.1; the rest synthetic (see the
    module docstring). ``detail_rows`` adds about that many rows by splitting cells
    into detail rows. Raises ValueError for an unknown statcode or for a gemeente
    whose figures are all zero (GM1961 Vijfheerenlanden in the 2023 CSV).
    """
    gemeente = find_gemeente(data_dir, statcode)
    definitions = load_definitions(data_dir, "Gemeente", 2023)
    figures = load_real_figures(data_dir, gemeente, definitions)
    rng = random.Random(f"{SEED}/jaarrekening-2023/{statcode}")

    ledger = Ledger()
    book_statement(ledger, figures.totals, definitions, rng, gemeente_profile)
    book_balance(ledger, definitions, rng)

    header = Header(
        "Gemeente",
        gemeente.number,
        gemeente.name,
        2023,
        5,
        JAARREKENING_2023_DATE,
        True,
        f"iv3.{statcode.lower()}@example.org",
    )
    indicators = {
        "kengetallen": indicator_rows(
            kengetallen(ledger, definitions, rng), "kengetal", "Rek_2023", definitions
        ),
        "beleidsindicatoren": indicator_rows(
            beleidsindicatoren(ledger, definitions, max(figures.inhabitants, 1), rng),
            "beleidsindicator",
            "Rek_2023",
            definitions,
        ),
    }
    remarks = jaarrekening_remarks(gemeente, figures, ledger, detail_rows)
    document = assemble(header, ledger, definitions, remarks, indicators)

    add_detail_rows(document, detail_rows, definitions, rng)
    return document


def synthetic_totals(
    spec: Sequence[tuple[str, int, int, float]], rng: random.Random, jitter: float
) -> dict[str, TaskTotal]:
    """Totals from ``(taakveld, lasten, baten, salary share)`` with seeded jitter."""
    totals = {}
    for code, lasten, baten, salary_share in spec:
        lasten = round(lasten * rng.uniform(1 - jitter, 1 + jitter))
        baten = round(baten * rng.uniform(1 - jitter, 1 + jitter))
        totals[code] = TaskTotal(lasten, baten, round(lasten * salary_share))
    return totals


def close_statement(totals: dict[str, TaskTotal], code: str) -> dict[str, TaskTotal]:
    """Make total lasten equal total baten through one taakveld (result/reserves)."""
    lasten, baten = statement_difference(totals)
    gap = baten - lasten
    old = totals.get(code, TaskTotal(0, 0, 0))
    closed = dict(totals)
    if gap > 0:
        closed[code] = TaskTotal(old.lasten + gap, old.baten, old.salaries)
    else:
        closed[code] = TaskTotal(old.lasten, old.baten - gap, old.salaries)
    return closed


def build_synthetic(
    header: Header,
    totals: dict[str, TaskTotal],
    definitions: Definitions,
    rng: random.Random,
    profile: Callable[[str], Profile],
    remarks: Sequence[str],
) -> Document:
    """Build a submission from synthetic totals, with kengetallen of its year."""
    ledger = Ledger()
    book_statement(ledger, totals, definitions, rng, profile)
    book_balance(ledger, definitions, rng)

    period = f"{'Beg' if header.period == 0 else 'Rek'}_{header.year}"
    values = kengetallen(ledger, definitions, rng)
    indicators = {
        "kengetallen": indicator_rows(values, "kengetal", period, definitions)
    }
    return assemble(header, ledger, definitions, [*remarks, *ledger.notes], indicators)


PROVINCIE_SPEC = (
    ("0.1", 0, 540_000, 0.0),
    ("0.2", 0, 425_000, 0.0),
    ("0.3", 14_000, 16_000, 0.0),
    ("0.4", 500, 22_000, 0.0),
    ("0.5", 6_000, 4_000, 0.1),
    ("0.6", 165_000, 3_000, 0.55),
    ("0.7", 300, 0, 0.0),
    ("0.8", 70_000, 0, 0.0),
    ("1.1", 9_500, 0, 0.35),
    ("1.2", 6_500, 0, 0.5),
    ("1.3", 3_000, 100, 0.5),
    ("1.4", 2_500, 0, 0.5),
    ("1.5", 2_800, 0, 0.7),
    ("1.6", 1_500, 0, 0.4),
    ("1.9", 1_200, 200, 0.2),
    ("2.1", 265_000, 22_000, 0.15),
    ("2.2", 95_000, 9_000, 0.2),
    ("2.3", 335_000, 205_000, 0.03),
    ("2.9", 6_000, 500, 0.3),
    ("3.1", 3_000, 0, 0.3),
    ("3.2", 2_500, 0, 0.3),
    ("3.3", 2_000, 600, 0.3),
    ("3.4", 4_000, 300, 0.3),
    ("3.5", 900, 0, 0.3),
    ("3.9", 1_000, 0, 0.2),
    ("4.1", 8_500, 1_000, 0.25),
    ("4.2", 3_000, 0, 0.25),
    ("4.3", 3_200, 0, 0.2),
    ("4.4", 62_000, 21_000, 0.1),
    ("4.5", 500, 300, 0.3),
    ("4.6", 36_000, 6_000, 0.2),
    ("4.9", 2_000, 0, 0.2),
    ("5.1", 112_000, 58_000, 0.1),
    ("5.2", 41_000, 4_000, 0.1),
    ("5.3", 15_500, 3_000, 0.15),
    ("5.9", 2_000, 0, 0.2),
    ("6.1", 12_500, 1_000, 0.2),
    ("6.2", 8_000, 500, 0.25),
    ("6.3", 36_000, 9_000, 0.15),
    ("6.4", 20_000, 1_000, 0.15),
    ("6.9", 5_000, 0, 0.2),
    ("7.1", 46_000, 1_500, 0.05),
    ("7.2", 31_000, 2_000, 0.1),
    ("7.9", 2_000, 0, 0.2),
    ("8.1", 25_500, 2_000, 0.35),
    ("8.2", 25_000, 1_000, 0.2),
    ("8.3", 10_500, 500, 0.15),
    ("8.9", 2_000, 0, 0.2),
)
"""Zuid-Holland 2026, synthetic: (taakveld, lasten, baten, share of salaries)."""


def build_provincie_begroting(data_dir: Path) -> Document:
    """Provincie Zuid-Holland (PV28), begroting 2026, synthetic figures."""
    definitions = load_definitions(data_dir, "Provincie", 2026)
    rng = random.Random(f"{SEED}/zuid-holland-begroting-2026")
    totals = close_statement(synthetic_totals(PROVINCIE_SPEC, rng, 0.03), "0.8")

    header = Header(
        "Provincie",
        "28",
        "Zuid-Holland",
        2026,
        0,
        "2025-11-10T11:00:00+01:00",
        False,
        "iv3.pv28@example.org",
    )
    remarks = [
        UNIT_REMARK,
        "Synthetische begroting (iv3ld voorbeeldgenerator, vaste seed), niet de echte "
        "begroting van Zuid-Holland. Mutaties reserves (0.8) sluiten lasten en baten.",
        "Balansstanden ontbreken: niet nodig voor een begroting.",
    ]
    return build_synthetic(header, totals, definitions, rng, provincie_profile, remarks)


VEILIGHEIDSREGIO_SPEC = (
    ("0.4", 17_600, 450, 0.55),
    ("0.5", 950, 1_100, 0.0),
    ("0.8", 250, 120, 0.0),
    ("0.10", 1_300, 2_100, 0.0),
    ("1.1", 99_500, 116_500, 0.62),
    ("7.1", 3_600, 3_650, 0.45),
)
"""Veiligheidsregio Voorbeeldregio 2024: brandweer (1.1), GHOR (7.1), overhead."""


def build_veiligheidsregio(data_dir: Path) -> Document:
    """A fictional GR, jaarrekening 2024, funded mostly by its gemeenten (4.3.2)."""
    definitions = load_definitions(data_dir, "GR", 2024)
    rng = random.Random(f"{SEED}/veiligheidsregio-jaarrekening-2024")
    totals = close_statement(synthetic_totals(VEILIGHEIDSREGIO_SPEC, rng, 0.02), "0.11")

    header = Header(
        "GR",
        "900001",
        "Veiligheidsregio Voorbeeldregio",
        2024,
        5,
        "2025-07-08T14:00:00+02:00",
        False,
        "iv3@vr-voorbeeldregio.example.org",
    )
    remarks = [
        UNIT_REMARK,
        "Fictieve gemeenschappelijke regeling met synthetische cijfers (iv3ld "
        "voorbeeldgenerator, vaste seed). Het overheidsnummer 900001 is verzonnen: de "
        "nummering van GR's is niet openbaar gedocumenteerd.",
        "Baten brandweer (1.1) en GHOR (7.1) vooral uit bijdragen van de deelnemende "
        "gemeenten (4.3.2) en de rijksbijdrage BDuR (4.3.1).",
    ]
    profile = veiligheidsregio_profile
    return build_synthetic(header, totals, definitions, rng, profile, remarks)


SMALL_GEMEENTE_SPEC = (
    ("0.1", 2_400, 50, 0.45),
    ("0.2", 1_300, 600, 0.6),
    ("0.4", 7_800, 200, 0.6),
    ("0.5", 400, 900, 0.0),
    ("0.61", 350, 4_200, 0.3),
    ("0.62", 0, 2_100, 0.0),
    ("0.7", 0, 27_000, 0.0),
    ("0.10", 2_000, 2_600, 0.0),
    ("2.1", 5_200, 400, 0.2),
    ("4.2", 1_900, 100, 0.0),
    ("5.7", 2_600, 150, 0.3),
    ("6.3", 9_500, 5_600, 0.1),
    ("6.711", 1_400, 150, 0.0),
    ("6.751", 3_200, 0, 0.0),
    ("7.2", 2_900, 3_400, 0.1),
    ("7.3", 3_300, 3_900, 0.05),
    ("8.3", 1_700, 900, 0.4),
)
"""A fictional gemeente of about 20,000 inhabitants, 2025."""


def small_gemeente_2025(data_dir: Path) -> tuple[Document, Definitions]:
    """The valid base of the invalid example: a small fictional jaarrekening 2025."""
    definitions = load_definitions(data_dir, "Gemeente", 2025)
    rng = random.Random(f"{SEED}/ongeldig-gemeente-2025")
    totals = close_statement(synthetic_totals(SMALL_GEMEENTE_SPEC, rng, 0.05), "0.11")

    header = Header(
        "Gemeente",
        "9999",
        "Voorbeeldstad",
        2025,
        5,
        "2026-07-01T10:00:00+02:00",
        False,
        "iv3@voorbeeldstad.example.org",
    )
    remarks = [
        UNIT_REMARK,
        "Fictieve gemeente met synthetische cijfers (iv3ld voorbeeldgenerator), met "
        "opzet ONGELDIG gemaakt om validatie te testen. De fouten:",
    ]
    document = build_synthetic(
        header, totals, definitions, rng, gemeente_profile, remarks
    )
    return document, definitions


def first_grey_lasten_cell(document: Document, definitions: Definitions) -> Cell:
    """A grey lasten cell on a taakveld of the file with a listed LR category."""
    used = {row["taakveld"] for row in document["data"]["lasten"]}
    categories = set(definitions.codes["categorie_lasten"]) - NOT_SPREAD
    return next(
        (taakveld, categorie)
        for taakveld in definitions.codes["taakveld"]
        for categorie in definitions.codes["categorie_lasten"]
        if taakveld in used
        and categorie in categories
        and (taakveld, categorie) in definitions.grey["lasten"]
    )


def imbalance_row(lasten: list[Row]) -> Row:
    """The largest lasten row of taakveld 2.1, to carry the PF006 defect."""
    return max(
        (row for row in lasten if row["taakveld"] == "2.1" and "bedrag" in row),
        key=lambda row: row["bedrag"],
    )


def build_invalid_gemeente(data_dir: Path) -> Document:
    """A small gemeente 2025 with the defects listed in its ``opmerkingen``."""
    document, definitions = small_gemeente_2025(data_dir)
    lasten = document["data"]["lasten"]
    grey_taakveld, grey_categorie = first_grey_lasten_cell(document, definitions)

    lasten.append({"taakveld": "6.6", "categorie": "3.8", "bedrag": 250})
    lasten.append({"taakveld": "2.1", "categorie": "3.7", "bedrag": 40})
    lasten.append(
        {"taakveld": grey_taakveld, "categorie": grey_categorie, "bedrag": 25}
    )
    lasten.append({"taakveld": "0.2", "categorie": "3.8"})
    document["metadata"]["versie"] = "2.1"

    total_lasten = sum(row.get("bedrag", 0) for row in lasten)
    total_baten = sum(row["bedrag"] for row in document["data"]["baten"])
    extra = round(total_lasten * 0.03) - (total_lasten - total_baten)
    imbalance_row(lasten)["bedrag"] += extra

    document["opmerkingen"].extend(
        {"tekst": text, "auteur": AUTHOR}
        for text in (
            "Fout 1: lasten op taakveld 6.6, dat in 2025 niet meer bestaat (DF001).",
            "Fout 2: categorie 3.7 (alleen baten) aan de lastenkant, taakveld 2.1 "
            "(DF002).",
            f"Fout 3: grijze cel lasten {grey_taakveld} x {grey_categorie}.",
            "Fout 4: een lastenregel (0.2 x 3.8) zonder bedrag (SF017).",
            "Fout 5: onbekende metadata-sleutel 'versie' (SF003).",
            f"Fout 6: totaal lasten is {dutch_number(extra)} verhoogd op taakveld 2.1, "
            "zodat lasten en baten ongeveer 3 % verschillen (PF006; daardoor "
            "faalt ook PF001).",
        )
    )
    return document


EXAMPLES: dict[str, Callable[[Path], Document]] = {
    "amsterdam-jaarrekening-2023.json": lambda data_dir: build_jaarrekening(
        "GM0363", data_dir, AMSTERDAM_DETAIL_ROWS
    ),
    "zuid-holland-begroting-2026.json": build_provincie_begroting,
    "gr-veiligheidsregio-jaarrekening-2024.json": build_veiligheidsregio,
    "ongeldig-gemeente-2025.json": build_invalid_gemeente,
}
INVALID_EXAMPLE = "ongeldig-gemeente-2025.json"


# --- Self-check: schema ---------------------------------------------------------------

JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "number": lambda value: (
        isinstance(value, int | float) and not isinstance(value, bool)
    ),
}


def resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow a local ``$ref`` (``#/definitions/...``)."""
    while "$ref" in schema:
        target: Any = root
        for step in schema["$ref"].removeprefix("#/").split("/"):
            target = target[step]
        schema = target
    return schema


def object_errors(
    value: dict[str, Any], schema: dict[str, Any], root: dict[str, Any], path: str
) -> list[str]:
    """Errors of ``required``, ``minProperties``, ``properties`` and extra keys."""
    errors = [
        f"{path}: missing {key!r}"
        for key in schema.get("required", [])
        if key not in value
    ]
    if len(value) < schema.get("minProperties", 0):
        errors.append(f"{path}: fewer than {schema['minProperties']} keys")
    properties = schema.get("properties", {})
    for key, item in value.items():
        if key in properties:
            errors.extend(schema_errors(item, properties[key], root, f"{path}/{key}"))
        elif schema.get("additionalProperties") is False:
            errors.append(f"{path}: unknown key {key!r}")
    return errors


def schema_errors(
    value: Any, schema: dict[str, Any], root: dict[str, Any], path: str = ""
) -> list[str]:
    """Validate against the draft-07 keywords the CBS schema uses.

    The keywords are type, enum, oneOf, pattern, required, minProperties, properties,
    additionalProperties, items and local $ref; the venv has no jsonschema package.
    """
    schema = resolve(schema, root)
    expected = schema.get("type")
    if expected and not JSON_TYPES[expected](value):
        return [f"{path or '/'}: expected {expected}, found {type(value).__name__}"]
    errors: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if "oneOf" in schema:
        matches = sum(
            not schema_errors(value, option, root, path) for option in schema["oneOf"]
        )
        if matches != 1:
            errors.append(f"{path}: {value!r} matches {matches} oneOf options")
    pattern = schema.get("pattern")
    if pattern and isinstance(value, str) and not re.search(pattern, value):
        errors.append(f"{path}: {value!r} does not match {schema['pattern']!r}")
    if isinstance(value, dict):
        errors.extend(object_errors(value, schema, root, path))
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors.extend(schema_errors(item, schema["items"], root, f"{path}/{index}"))
    return errors


# --- Self-check: codes and grey cells -------------------------------------------------

CODE_CHECKS = (
    ("lasten", "taakveld", "taakveld", "DF001"),
    ("baten", "taakveld", "taakveld", "DF001"),
    ("lasten", "categorie", "categorie_lasten", "DF002"),
    ("baten", "categorie", "categorie_baten", "DF002"),
    ("balans_lasten", "categorie", "categorie_lasten", "DF002"),
    ("balans_baten", "categorie", "categorie_baten", "DF002"),
    ("balans_lasten", "balanscode", "balanscode", "DF003"),
    ("balans_baten", "balanscode", "balanscode", "DF003"),
    ("balans_standen", "balanscode", "balanscode", "DF003"),
    ("balans_standen", "standper", "standper", "DF004"),
    ("kengetallen", "kengetal", "kengetallen", "DF005"),
    ("beleidsindicatoren", "beleidsindicator", "beleidsindicatoren", "DF006"),
    ("kengetallen", "verslagperiode", "verslagperiode", "DF007"),
    ("beleidsindicatoren", "verslagperiode", "verslagperiode", "DF007"),
)
"""(part, row key, code list, CBS error code) of the DF checks."""


def code_errors(data: dict[str, Any], definitions: Definitions) -> list[str]:
    """DF001-DF007: codes that are not in the year's lists."""
    errors = []
    for part, key, listname, foutcode in CODE_CHECKS:
        allowed = set(definitions.codes[listname])
        for row in data.get(part, []):
            if row.get(key) not in allowed:
                errors.append(f"{foutcode} {part}: {key} {row.get(key)!r}")
    return errors


def grey_cell_uses(data: dict[str, Any], definitions: Definitions) -> list[str]:
    """Rows on a grey taakveld/balanscode x categorie cell (a warning at CBS)."""
    uses = []
    for part in MUTATION_PARTS:
        key = CODE_KEY[part]
        for row in data[part]:
            if (row.get(key), row.get("categorie")) in definitions.grey[part]:
                uses.append(f"{part} {row.get(key)} x {row.get('categorie')}")
    return uses


# --- Self-check: plausibility checks PF001-PF009 --------------------------------------

TOLERANCES = {
    "PF001": 0.01,
    "PF002": 0.01,
    "PF003": 0.0,
    "PF004": 0.01,
    "PF005": 0.01,
    "PF006": 0.001,
    "PF007": 0.001,
    "PF008": 0.001,
    "PF009": 0.10,
}
"""Maximum ratio per check; only PF001's is published (DOMAIN.md 8.2)."""

MUTATION_CATEGORIES_PF002 = frozenset({"6.1", "7.2", "7.5"})
SETTLEMENT_CATEGORIES = ("7.1", "7.2", "7.3", "7.4", "7.5")
TRANSFER_PREFIXES = ("4.3.", "4.4.", "4.5.", "4.6.")


@dataclass(frozen=True)
class Outcome:
    """The figure of one plausibility check: a ratio and a readable explanation."""

    ratio: float
    text: str


def amount_sum(rows: Iterable[Row], **match: str) -> int:
    """Sum of the amounts of the rows that have one and whose fields equal ``match``.

    ``amount_sum(rows, taakveld="6.3", categorie="1.1")``; rows without ``bedrag``
    (an SF017 error) count as 0.
    """
    return sum(
        row["bedrag"]
        for row in rows
        if "bedrag" in row
        and all(row.get(key) == value for key, value in match.items())
    )


def relative(difference: float, base: float) -> float:
    """``|difference| / |base|``, 0 when both are 0 and infinite for a zero base."""
    if difference == 0:
        return 0.0
    return abs(difference) / abs(base) if base else math.inf


def pf001(data: dict[str, Any], definitions: Definitions) -> Outcome:
    """EMU balance of the current account (LR) against the financial account (FR)."""
    groups = definitions.category_groups

    def total(parts: tuple[str, str], group: str) -> int:
        return sum(
            row["bedrag"]
            for part in parts
            for row in data[part]
            if "bedrag" in row and groups.get(row["categorie"]) == group
        )

    lasten_lr = total(("lasten", "balans_lasten"), "LR")
    baten_lr = total(("baten", "balans_baten"), "LR")
    emu_lr = baten_lr - lasten_lr
    emu_fr = total(("lasten", "balans_lasten"), "FR") - total(
        ("baten", "balans_baten"), "FR"
    )
    ratio = relative(emu_lr - emu_fr, lasten_lr)
    text = (
        f"Totaal_lasten_LR {dutch_number(lasten_lr)}, Totaal_baten_LR "
        f"{dutch_number(baten_lr)}, EMU_LR {dutch_number(emu_lr)}, EMU_FR "
        f"{dutch_number(emu_fr)}, |verschil|/lasten_LR {ratio:.6%}"
    )
    return Outcome(ratio, text)


def pf002(data: dict[str, Any], scope: dict[str, Any]) -> Outcome:
    """Share of other categories than 6.1/7.2/7.5 on the financial balance codes."""
    codes = set(scope.get("balanscode", []))
    rows = [
        row
        for part in ("balans_lasten", "balans_baten")
        for row in data[part]
        if row.get("balanscode") in codes and "bedrag" in row
    ]
    total = sum(abs(row["bedrag"]) for row in rows)
    other = sum(
        abs(row["bedrag"])
        for row in rows
        if row["categorie"] not in MUTATION_CATEGORIES_PF002
    )
    ratio = relative(other, total)
    return Outcome(
        ratio, f"andere categorieën {dutch_number(other)} van {dutch_number(total)}"
    )


def positions(data: dict[str, Any], year: int) -> tuple[dict[str, int], dict[str, int]]:
    """Opening and closing positions per balance code (a missing one counts as 0)."""
    begin: dict[str, int] = {}
    end: dict[str, int] = {}
    for row in data["balans_standen"]:
        if "bedrag" not in row:
            continue
        if row["standper"] in (BEGIN, f"1-1-{year}"):
            begin[row["balanscode"]] = begin.get(row["balanscode"], 0) + row["bedrag"]
        elif row["standper"] in (END, f"31-12-{year}"):
            end[row["balanscode"]] = end.get(row["balanscode"], 0) + row["bedrag"]
    return begin, end


def pf003(data: dict[str, Any], scope: dict[str, Any], year: int) -> Outcome:
    """Opening + mutation = ultimo per balance code (exact)."""
    begin, end = positions(data, year)
    worst = 0
    wrong = []
    for code in scope.get("balanscode", []):
        debit = amount_sum(data["balans_lasten"], balanscode=code)
        credit = amount_sum(data["balans_baten"], balanscode=code)
        mutation = debit - credit if code.startswith("A") else credit - debit
        difference = begin.get(code, 0) + mutation - end.get(code, 0)
        if difference:
            wrong.append(code)
            worst = max(worst, abs(difference))
    text = f"{len(wrong)} codes met verschil, grootste verschil {dutch_number(worst)}"
    return Outcome(float(worst), text)


def pf004(data: dict[str, Any]) -> Outcome:
    """Internal settlements 7.1-7.5: lasten + balans_lasten = baten + balans_baten."""
    worst = 0.0
    parts = []
    for categorie in SETTLEMENT_CATEGORIES:
        debit = sum(
            amount_sum(data[part], categorie=categorie)
            for part in ("lasten", "balans_lasten")
        )
        credit = sum(
            amount_sum(data[part], categorie=categorie)
            for part in ("baten", "balans_baten")
        )
        worst = max(worst, relative(debit - credit, max(abs(debit), abs(credit))))
        parts.append(f"{categorie}: {dutch_number(debit)}/{dutch_number(credit)}")
    return Outcome(worst, f"{'; '.join(parts)}; grootste afwijking {worst:.4%}")


def pf005(data: dict[str, Any], scope: dict[str, Any]) -> Outcome:
    """Share of all 6.1 amounts booked on taakvelden outside the excluded ones."""
    excluded = set(scope.get("uitgesloten_taakvelden", []))

    def is_financial(row: Row) -> bool:
        return bool(row["categorie"] == "6.1")

    everywhere = sum(
        abs(row["bedrag"])
        for part in MUTATION_PARTS
        for row in data[part]
        if "bedrag" in row and is_financial(row)
    )
    outside = sum(
        abs(row["bedrag"])
        for part in ("lasten", "baten")
        for row in data[part]
        if "bedrag" in row and is_financial(row) and row["taakveld"] not in excluded
    )
    ratio = relative(outside, everywhere)
    return Outcome(
        ratio, f"6.1 op taakvelden buiten {sorted(excluded)}: {dutch_number(outside)}"
    )


def pf006(data: dict[str, Any]) -> Outcome:
    """Total lasten of the taakvelden against total baten."""
    lasten = amount_sum(data["lasten"])
    baten = amount_sum(data["baten"])
    ratio = relative(lasten - baten, lasten)
    text = (
        f"lasten {dutch_number(lasten)}, baten {dutch_number(baten)}, "
        f"verschil {dutch_number(lasten - baten)} ({ratio:.5%})"
    )
    return Outcome(ratio, text)


def balance_totals(stand: dict[str, int]) -> tuple[int, int]:
    """Total activa and total passiva of one set of positions."""
    activa = sum(amount for code, amount in stand.items() if code.startswith("A"))
    passiva = sum(amount for code, amount in stand.items() if code.startswith("P"))
    return activa, passiva


def pf007_pf008(data: dict[str, Any], year: int) -> tuple[Outcome, Outcome]:
    """Opening and ultimo: total activa against total passiva."""
    outcomes = []
    for stand in positions(data, year):
        activa, passiva = balance_totals(stand)
        ratio = relative(activa - passiva, max(activa, passiva))
        text = f"activa {dutch_number(activa)}, passiva {dutch_number(passiva)}"
        outcomes.append(Outcome(ratio, text))
    return outcomes[0], outcomes[1]


def pf009(data: dict[str, Any]) -> Outcome:
    """Share of 4.3.9 and 4.4.9 (onverdeeld) in all transfer categories 4.3-4.6."""
    rows = [row for part in MUTATION_PARTS for row in data[part] if "bedrag" in row]
    transfers = sum(
        abs(r["bedrag"]) for r in rows if r["categorie"].startswith(TRANSFER_PREFIXES)
    )
    unspecified = sum(
        abs(r["bedrag"]) for r in rows if r["categorie"] in ("4.3.9", "4.4.9")
    )
    ratio = relative(unspecified, transfers)
    text = f"{dutch_number(unspecified)} van {dutch_number(transfers)} ({ratio:.2%})"
    return Outcome(ratio, text)


@dataclass
class CheckReport:
    """Outcome of the self-check of one submission."""

    schema_errors: list[str]
    code_errors: list[str]
    grey_cells: list[str]
    figures: dict[str, Outcome]
    in_scope: set[str]

    @property
    def failures(self) -> list[str]:
        """The checks in scope for the period whose ratio exceeds the tolerance."""
        return [
            code
            for code, outcome in self.figures.items()
            if code in self.in_scope and outcome.ratio > TOLERANCES[code]
        ]


def plausibility(
    data: dict[str, Any], definitions: Definitions, period: int
) -> tuple[dict[str, Outcome], set[str]]:
    """Compute PF001-PF009; positions checks only when positions are given."""
    in_scope = {code for code in TOLERANCES if definitions.check_scope(code, period)}

    def scope(code: str) -> dict[str, Any]:
        calculation = definitions.check_scope(code, period)
        if calculation is None:
            calculation = definitions.check_scope(code, 5) or {}
        return calculation

    figures = {
        "PF001": pf001(data, definitions),
        "PF002": pf002(data, scope("PF002")),
        "PF004": pf004(data),
        "PF005": pf005(data, scope("PF005")),
        "PF006": pf006(data),
        "PF009": pf009(data),
    }
    if data["balans_standen"]:
        figures["PF003"] = pf003(data, scope("PF003"), definitions.year)
        figures["PF007"], figures["PF008"] = pf007_pf008(data, definitions.year)
    return dict(sorted(figures.items())), in_scope


def check_document(document: Document, data_dir: Path) -> CheckReport:
    """Validate a submission: schema, codes, grey cells and PF001-PF009."""
    meta = document["metadata"]
    definitions = load_definitions(
        data_dir, meta["overheidslaag"], int(meta["boekjaar"])
    )
    schema = load_schema(data_dir)
    data = document["data"]

    figures, in_scope = plausibility(data, definitions, int(meta["periode"]))
    return CheckReport(
        schema_errors(document, schema, schema),
        code_errors(data, definitions),
        grey_cell_uses(data, definitions),
        figures,
        in_scope,
    )


def require_valid(name: str, report: CheckReport) -> None:
    """Raise AssertionError unless the file passes every check in scope."""
    problems = [
        *report.schema_errors,
        *report.code_errors,
        *(f"grijze cel {use}" for use in report.grey_cells),
        *(f"{code} buiten tolerantie" for code in report.failures),
    ]
    if "PF003" in report.figures and report.figures["PF003"].ratio != 0:
        problems.append("PF003 niet exact")
    if problems:
        raise AssertionError(f"{name} is not valid: {problems[:10]}")


def require_defects(name: str, report: CheckReport) -> None:
    """Raise AssertionError unless each deliberate defect is detected."""
    found = {
        "schema 'versie'": any("'versie'" in error for error in report.schema_errors),
        "schema bedrag": any("'bedrag'" in error for error in report.schema_errors),
        "DF001 6.6": any("DF001" in e and "'6.6'" in e for e in report.code_errors),
        "DF002 3.7": any(
            "DF002 lasten" in e and "'3.7'" in e for e in report.code_errors
        ),
        "grijze cel": bool(report.grey_cells),
        "PF006": "PF006" in report.failures,
    }
    missing = [defect for defect, detected in found.items() if not detected]
    if missing:
        raise AssertionError(f"{name}: defects not detected: {missing}")


def require_real_totals(document: Document, data_dir: Path, statcode: str) -> None:
    """Raise AssertionError unless lasten/baten per taakveld and 1.1 equal the CSV."""
    gemeente = find_gemeente(data_dir, statcode)
    definitions = load_definitions(data_dir, "Gemeente", 2023)
    figures = load_real_figures(data_dir, gemeente, definitions)
    data = document["data"]
    for code, total in figures.totals.items():
        found = TaskTotal(
            amount_sum(data["lasten"], taakveld=code),
            amount_sum(data["baten"], taakveld=code),
            amount_sum(data["lasten"], taakveld=code, categorie="1.1"),
        )
        if found != total:
            raise AssertionError(f"{statcode} taakveld {code}: {found} != {total}")


# --- Command line ---------------------------------------------------------------------


def write_document(document: Document, path: Path) -> None:
    """Write UTF-8 JSON with a 2-space indent and a final newline."""
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")


def row_counts(document: Document) -> str:
    """Rows per data part, for the build log."""
    return ", ".join(f"{part} {len(rows)}" for part, rows in document["data"].items())


def print_report(name: str, document: Document, report: CheckReport) -> None:
    """Print the row counts and the computed check figures of one file."""
    print(f"{name}: {row_counts(document)}")
    for code, outcome in report.figures.items():
        scope = "" if code in report.in_scope else " (niet voor deze periode)"
        print(f"  {code}{scope}: {outcome.text}")
    for kind, items in (
        ("schema", report.schema_errors),
        ("codes", report.code_errors),
        ("grijze cellen", report.grey_cells),
    ):
        if items:
            print(f"  {kind}: {len(items)}: {items[:6]}")


def print_source_notes(data_dir: Path) -> None:
    """Print the code corrections and the label differences of the real data."""
    for layer, year in (
        ("Gemeente", 2023),
        ("Provincie", 2026),
        ("GR", 2024),
        ("Gemeente", 2025),
    ):
        for correction in load_definitions(data_dir, layer, year).corrections:
            print(f"code corrected: {correction}")
    gemeente = find_gemeente(data_dir, "GM0363")
    definitions = load_definitions(data_dir, "Gemeente", 2023)
    figures = load_real_figures(data_dir, gemeente, definitions)
    for difference in figures.label_differences:
        print(f"StatLine label differs from the 2023 list: {difference}")


def main(argv: Sequence[str] | None = None) -> int:
    """Build, write and self-check the example files; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="shared data dir"
    )
    parser.add_argument(
        "--out", type=Path, default=REPOSITORY / "examples", help="output dir"
    )
    args = parser.parse_args(argv)
    data_dir = args.data.resolve()
    args.out.mkdir(parents=True, exist_ok=True)

    print_source_notes(data_dir)
    for name, build in EXAMPLES.items():
        document = build(data_dir)
        write_document(document, args.out / name)

        report = check_document(document, data_dir)
        print_report(name, document, report)
        if name == INVALID_EXAMPLE:
            require_defects(name, report)
        else:
            require_valid(name, report)
    require_real_totals(
        json.loads((args.out / "amsterdam-jaarrekening-2023.json").read_text("utf-8")),
        data_dir,
        "GM0363",
    )
    print("self-check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
