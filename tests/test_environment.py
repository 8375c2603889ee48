"""The embedded install's secrets: generated once, agreed on by processes starting together."""

import os
from pathlib import Path

from chuangxian.environment import secret_from_env_or_file


def test_generated_once_and_kept(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CHUANGXIAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CHUANGXIAN_TEST_UNSET_SECRET", raising=False)
    first = secret_from_env_or_file("CHUANGXIAN_TEST_UNSET_SECRET", "field_key")
    assert first == secret_from_env_or_file("CHUANGXIAN_TEST_UNSET_SECRET", "field_key")
    assert (tmp_path / "field_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["field_key"]


def test_the_loser_of_a_race_reads_the_winners_secret(tmp_path: Path, monkeypatch):
    """Another process writes the file after this one saw it missing and before it wrote its
    own: both must end up with the winner's secret."""
    monkeypatch.setenv("CHUANGXIAN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CHUANGXIAN_TEST_UNSET_SECRET", raising=False)
    real_open = os.open

    def open_after_the_other_process(path, flags, mode=0o777):  # type: ignore[no-untyped-def]
        target = tmp_path / "field_key"
        if not target.exists():
            target.write_text("the-winners-secret\n", encoding="ascii")
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", open_after_the_other_process)
    assert secret_from_env_or_file("CHUANGXIAN_TEST_UNSET_SECRET", "field_key") == (
        "the-winners-secret"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["field_key"]
