"""Delivery status per government: from the ledger, against the CBS deadline."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iv3ld.cli import main
from iv3ld.deliveries import Receipt, receive
from iv3ld.publication import AMSTERDAM, Placement
from iv3ld.sources import Source
from iv3ld.state import StateDirectory
from iv3ld.status import delivery_status
from iv3ld.store.embedded import EmbeddedStore
from tests.conftest import EXAMPLES, load_fixture

BEFORE = datetime(2026, 7, 1, 12, 0, tzinfo=AMSTERDAM)
"""Before the deadline of jaarrekening 2025 (14 July 2026)."""
LATE = datetime(2026, 10, 1, 12, 0, tzinfo=AMSTERDAM)
"""After its correction deadline."""
REGISTER = [
    Source("GM0999", "https://kleindorp.example/iv3.json", "Kleindorp"),
    Source("GM0363", "https://amsterdam.example/iv3.json", "Amsterdam"),
    Source("GM9999", "https://voorbeeldstad.example/iv3.json", "Voorbeeldstad"),
    Source("GM0518", "https://den-haag.example/iv3.json", "Den Haag"),
]


def small_for(number: str, datum: str = "2026-07-01T10:00:00+02:00") -> bytes:
    content = copy.deepcopy(load_fixture("klein-2025.json"))
    content["metadata"]["overheidsnummer"] = number
    content["metadata"]["datum"] = datum
    return json.dumps(content).encode("utf-8")


class Ledger:
    """A store and state directory with deliveries at chosen moments."""

    def __init__(self, folder: Path) -> None:
        self.store = EmbeddedStore.open(folder / "store")
        self.state = StateDirectory(folder / "state")

    def deliver(self, content: bytes, moment: datetime) -> Any:
        receipt = Receipt(content, "application/json", "test", "upload", moment)
        return receive(self.store, self.state, receipt, now=moment)


@pytest.fixture()
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    built = Ledger(tmp_path)
    built.deliver(small_for("0999"), BEFORE)
    built.deliver(small_for("0363", "2026-09-30T10:00:00+02:00"), LATE)
    built.deliver((EXAMPLES / "ongeldig-gemeente-2025.json").read_bytes(), LATE)
    built.deliver(small_for("0200", "2026-09-30T10:00:00+02:00"), LATE)
    yield built
    built.state.close()
    built.store.close()


def _rows(ledger: Ledger, now: datetime = LATE) -> dict[str, Any]:
    status = delivery_status(ledger.state, REGISTER, 2025, 5, now)
    return {row.government: row for row in status.rows}


def test_an_early_valid_delivery_is_held_and_not_late(ledger: Ledger) -> None:
    row = _rows(ledger)["GM0999"]

    assert (row.delivered, row.valid, row.late) == (True, True, False)
    assert row.version is not None and row.version.endswith("/2025/5/20260701t080000z")
    assert row.published is False
    assert row.placement is Placement.FIRST
    assert row.received is not None


def test_a_valid_delivery_after_the_deadline_is_late(ledger: Ledger) -> None:
    row = _rows(ledger)["GM0363"]

    assert (row.delivered, row.valid, row.late) == (True, True, True)
    assert row.published is True
    assert row.placement is Placement.LATE
    assert row.name == "Amsterdam"


def test_an_invalid_delivery_is_delivered_but_not_valid(ledger: Ledger) -> None:
    row = _rows(ledger)["GM9999"]

    assert (row.delivered, row.valid, row.version) == (True, False, None)
    assert row.latest_outcome == "refused"
    assert row.violations > 0
    assert row.late is True


def test_nothing_delivered_is_late_only_after_the_deadline(ledger: Ledger) -> None:
    after = _rows(ledger)["GM0518"]
    before = _rows(ledger, BEFORE)["GM0518"]

    assert (after.delivered, after.valid, after.late) == (False, False, True)
    assert before.late is None


def test_register_order_first_then_other_governments(ledger: Ledger) -> None:
    status = delivery_status(ledger.state, REGISTER, 2025, 5, LATE)

    codes = [row.government for row in status.rows]
    assert codes == ["GM0999", "GM0363", "GM9999", "GM0518", "GM0200"]
    assert status.rows[-1].in_register is False
    assert status.counts() == {
        "governments": 5,
        "delivered": 4,
        "valid": 3,
        "late": 4,
        "missing": 1,
    }


def test_a_correction_is_the_latest_version_and_lateness_stays(
    ledger: Ledger,
) -> None:
    correction = json.loads(small_for("0999", "2026-08-01T10:00:00+02:00"))
    correction["data"]["lasten"][0]["bedrag"] = 101
    correction["data"]["baten"][0]["bedrag"] += 1
    intake = ledger.deliver(json.dumps(correction).encode("utf-8"), LATE)

    row = _rows(ledger)["GM0999"]

    assert intake.outcome == "loaded"
    assert row.version == intake.version
    assert row.late is False, "the first valid file came before the deadline"
    assert row.placement is Placement.LATE


def test_an_other_period_has_no_deliveries(ledger: Ledger) -> None:
    status = delivery_status(ledger.state, REGISTER, 2025, 4, LATE)

    assert status.counts()["delivered"] == 0


# The command ---------------------------------------------------------------


def _register(folder: Path) -> Path:
    path = folder / "register.csv"
    lines = ["overheid,url,naam"]
    lines += [f"{s.government},{s.url},{s.name}" for s in REGISTER]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _command(folder: Path, *arguments: str) -> Any:
    environment = {"IV3LD_STATE": str(folder / "state")}
    store = ["--store", str(folder / "store")]
    return CliRunner().invoke(main, ["status", *arguments, *store], env=environment)


def test_the_command_prints_every_government(tmp_path: Path, ledger: Ledger) -> None:
    register = _register(tmp_path)

    text = _command(tmp_path, "2025", "5", "--register", str(register))
    as_json = _command(
        tmp_path, "2025", "5", "--register", str(register), "--format", "json"
    )

    assert text.exit_code == 0, text.output
    assert "deadline 2026-07-14" in text.output
    lines = {line.split("\t")[0]: line.split("\t") for line in text.output.splitlines()}
    assert lines["GM0518"][1:3] == ["nee", "nee"]
    assert lines["GM0363"][1:4] == ["ja", "ja", "ja"]
    assert as_json.exit_code == 0
    body = json.loads(as_json.output)
    assert [row["government"] for row in body["governments"]][:4] == [
        "GM0999",
        "GM0363",
        "GM9999",
        "GM0518",
    ]
    assert body["dates"]["deadline"] == "2026-07-14"


def test_the_command_exits_3_without_a_register(tmp_path: Path) -> None:
    result = _command(tmp_path, "2025", "5", "--register", str(tmp_path / "x.csv"))

    assert result.exit_code == 3
    assert "register" in result.output


def test_the_command_exits_2_for_a_periode_out_of_range(tmp_path: Path) -> None:
    result = _command(tmp_path, "2025", "7")

    assert result.exit_code == 2
