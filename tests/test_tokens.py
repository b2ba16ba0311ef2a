"""Tokens: created once, stored as digests, one government each, revocable."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from iv3ld.cli import EXIT_OK, EXIT_USAGE, main
from iv3ld.state import StateDirectory
from iv3ld.tokens import create_token, government_of, list_tokens, revoke_tokens


def test_a_token_names_its_government_until_revoked(tmp_path: Path) -> None:
    state = StateDirectory(tmp_path / "state")
    token = create_token(state, "gm0363", "financiën Amsterdam")

    assert government_of(state, token) == "GM0363"
    assert government_of(state, token + "x") is None
    assert revoke_tokens(state, "GM0363") == 1
    assert government_of(state, token) is None


def test_the_ledger_holds_no_token_in_clear(tmp_path: Path) -> None:
    state = StateDirectory(tmp_path / "state")
    token = create_token(state, "PV27")

    assert token.encode() not in state.database.read_bytes()
    records = list_tokens(state, "PV27")
    assert [(r.government, r.revoked) for r in records] == [("PV27", None)]


def test_the_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    store = ["--store", str(tmp_path / "store")]

    created = runner.invoke(main, ["tokens", "create", "GM0599", *store])
    listed = runner.invoke(main, ["tokens", "list", *store])
    revoked = runner.invoke(main, ["tokens", "revoke", "GM0599", *store])
    after = runner.invoke(main, ["tokens", "list", "GM0599", *store])

    assert created.exit_code == EXIT_OK
    token = created.stdout.strip()
    assert token.startswith("iv3ld_")
    assert "GM0599\tactive" in listed.output
    assert token not in listed.output
    assert "revoked 1 token(s) of GM0599" in revoked.output
    assert "GM0599\trevoked" in after.output
    state = StateDirectory(tmp_path / "store-state")
    assert government_of(state, token) is None


def test_a_malformed_government_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["tokens", "create", "Amsterdam", "--store", str(tmp_path / "store")]
    )

    assert result.exit_code == EXIT_USAGE
    assert "GM + 4 digits" in result.output
