"""migralint.api: the one orchestrator, called as a library (docs/api.md): it returns what the CLI prints."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from migralint.api import LintRequest, lint, lint_source
from migralint.config import Settings
from migralint.errors import UserError
from migralint.migrations.history import AppliedState, KnownSource


def _write(root: Path, name: str, sql: str) -> Path:
    path = root / name / "migration.sql"
    path.parent.mkdir(parents=True)
    path.write_text(sql, encoding="utf-8")
    return path


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "prisma" / "migrations"
    _write(root, "1_init", 'CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT);\n')
    _write(root, "2_index", 'CREATE INDEX "User_email_idx" ON "User"("email");\n')
    return root


def test_lint_returns_findings_and_notes_and_prints_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    settings = Settings(select=("require-concurrent-index-creation",), applied_through="2_index")
    outcome = lint(LintRequest(paths=["prisma/migrations"], settings=settings))
    assert outcome.result.findings == [] and outcome.result.files_checked == 0
    assert outcome.notes == ["nothing to lint: no migration after applied_through = 2_index"]
    settings = Settings(select=("require-concurrent-index-creation",), applied_through="1_init")
    outcome = lint(LintRequest(paths=["prisma/migrations"], settings=settings))
    assert [(f.path, f.rule) for f in outcome.result.findings] == [
        ("prisma/migrations/2_index/migration.sql", "require-concurrent-index-creation")
    ]
    assert outcome.result.files == ["prisma/migrations/2_index/migration.sql"]
    assert outcome.result.fails(strict=False)
    assert capsys.readouterr() == ("", "")


def test_a_history_source_decides_what_is_linted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    settings = Settings(select=("require-concurrent-index-creation",))
    everything = KnownSource(AppliedState(True, {"1_init", "2_index"}, sources=["the test"]))
    outcome = lint(LintRequest(paths=["prisma/migrations"], settings=settings, history=[everything],
                               pending_described="pending in the test"))
    assert outcome.result.files_checked == 0 and outcome.result.findings == []
    assert outcome.notes == ["nothing to lint: no migration pending in the test"]


def test_fix_writes_the_file_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    root = _project(tmp_path)
    settings = Settings(select=("require-concurrent-index-creation",))
    outcome = lint(LintRequest(paths=["prisma/migrations"], settings=settings, fix=True))
    assert "CREATE INDEX CONCURRENTLY" in (root / "2_index" / "migration.sql").read_text()
    assert "fixed 1 finding(s) in prisma/migrations/2_index/migration.sql" in outcome.notes
    assert outcome.result.findings == []  # linted again after the fix


def test_a_bad_request_raises_a_user_error_and_an_unreadable_file_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    root = _project(tmp_path)
    with pytest.raises(UserError, match="applied_through names 'nope'"):
        lint(LintRequest(paths=["prisma/migrations"], settings=Settings(applied_through="nope")))
    (root / "2_index" / "migration.sql").write_bytes(b"SELECT '\xff';\n")
    result = lint(LintRequest(paths=["prisma/migrations"])).result
    assert result.input_errors == [
        "prisma/migrations/2_index/migration.sql: not UTF-8 text (byte 8); migralint reads UTF-8 files"
    ]
    assert result.files == ["prisma/migrations/1_init/migration.sql"]


def test_lint_source_lints_text_as_a_named_file() -> None:
    result = lint_source('DROP INDEX "a";\n', "x.sql", Settings(select=("require-concurrent-index-deletion",)))
    assert [(f.path, f.line, f.rule) for f in result.findings] == [("x.sql", 1, "require-concurrent-index-deletion")]
    assert result.sources == {"x.sql": 'DROP INDEX "a";\n'}


def test_the_docs_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    text = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()
    example = text.split("```python\n", 1)[1].split("```", 1)[0]
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    with pytest.raises(SystemExit) as exited:
        exec(compile(example, "docs/api.md", "exec"), {})
    assert exited.value.code == 1
    assert "prisma/migrations/2_index/migration.sql:1:1: require-concurrent-index-creation" in out.getvalue()



def test_notes_reach_on_note_as_they_come(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI says which folder it lints before a long lint, not after it: "linting ..." comes
    while the file --fix will rewrite is still as written, and every note comes in order."""
    monkeypatch.chdir(tmp_path)
    root = _project(tmp_path)
    index_file = root / "2_index" / "migration.sql"
    seen: list[tuple[str, bool]] = []  # each note, and whether the file was fixed when it came
    settings = Settings(select=("require-concurrent-index-creation",))
    outcome = lint(LintRequest(paths=["prisma/migrations"], settings=settings, fix=True, found_folders=True,
                               on_note=lambda note: seen.append((note, "CONCURRENTLY" in index_file.read_text()))))
    assert [note for note, _ in seen] == outcome.notes
    assert seen[0] == ("linting prisma/migrations (Prisma Migrate)", False)
    assert ("fixed 1 finding(s) in prisma/migrations/2_index/migration.sql", True) in seen


def test_table_sizes_are_asked_for_only_when_a_size_can_be_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No database and no size known: with_table_sizes would change nothing, and is not called."""
    import migralint.api as api
    from migralint.migrations.history import TableStats

    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    calls: list[int] = []
    real = api.with_table_sizes

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "with_table_sizes", counted)
    settings = Settings(select=("require-concurrent-index-creation",))
    unsized = lint(LintRequest(paths=["prisma/migrations"], settings=settings)).result.findings
    assert calls == [] and [f.rule for f in unsized] == ["require-concurrent-index-creation"]
    sized = KnownSource(AppliedState(True, {"1_init"}, sources=["the test"],
                                     table_stats={"public.User": TableStats(rows=5, bytes=8192)}))
    lint(LintRequest(paths=["prisma/migrations"], settings=settings, history=[sized]))
    assert calls == [1]
    lint(LintRequest(paths=["prisma/migrations"], settings=settings, read_stats=lambda tables: {}))
    assert calls == [1, 1]
