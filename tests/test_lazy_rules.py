"""Rules are imported when a statement needs them: what the index (rules/rule_index.py) knows of a
rule is all a run reads until then, and the result is the one the rule classes give."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from migralint.config import Settings
from migralint.linter.rule_set import RuleSet
from migralint.rules.docs import entry_for
from migralint.rules.registry import ALL_RULES, RULE_CLASSES, build_rule_set
from migralint.rules.rule_index import BY_NAME, RULES
from migralint.rules.stand_in import StandIn
from migralint.sql.dialect import Dialect
from tests.helpers import lint_sql
from tests.test_lean_start import cold_then_warm, imported

RULE_MODULES = {entry.module: entry for entry in RULES}


def rule_modules(modules: list[str]) -> set[str]:
    return {m for m in modules if m in RULE_MODULES}


def test_the_index_lists_the_registry_in_its_order() -> None:
    assert [f"{e.module}:{e.qualname}" for e in RULES] == list(RULE_CLASSES)
    assert [e.name for e in RULES] == [rule.name for rule in ALL_RULES]


def test_a_stand_in_says_what_its_rule_says() -> None:
    for rule in ALL_RULES:
        standing = build_rule_set(Settings(select=(rule.name,))).by_name[rule.name]
        assert isinstance(standing, StandIn)
        assert (type(standing).__module__, type(standing).__qualname__) == (rule.__module__, rule.__qualname__)
        assert (standing.name, standing.severity, standing.default_enabled) == (
            rule.name, rule.severity, rule.default_enabled)
        assert (tuple(standing.nodes), set(standing.kinds), standing.dialects) == (
            tuple(rule.nodes), set(rule.kinds), frozenset(rule.dialects)), rule.name
        assert (standing.lock, standing.empty_table_is_safe, standing.about_applied) == (
            rule.lock, rule.empty_table_is_safe, rule.about_applied), rule.name


def test_the_index_knows_which_hooks_a_rule_overrides() -> None:
    entries = {e.name: e for e in map(entry_for, ALL_RULES)}
    assert entries["require-concurrent-index-creation"].hooks == ("check",)
    assert entries["mixing-schema-and-data-changes"].hooks == ("check", "check_file")
    assert "finish_section" in entries["require-lock-timeout"].hooks
    assert entries["syntax-error"].hooks == ()  # the engine reports it: never imported for that
    assert (entries["edited-applied-migration"].event, entries["migration-name"].event) == ("edited", "")


def test_a_rule_set_travels_to_a_worker_without_its_loaded_rules() -> None:
    rules = build_rule_set(Settings())
    rules.node_rules("IndexStmt")  # loaded here
    again = pickle.loads(pickle.dumps(rules))
    assert [r.name for r in again.rules] == [r.name for r in rules.rules]
    assert again.loaded_by_node == {} and all(isinstance(r, StandIn) and r._rule is None for r in again.rules)
    assert [r.name for r in again.node_rules("IndexStmt")] == [r.name for r in rules.node_rules("IndexStmt")]


def test_a_hook_a_rule_does_not_override_imports_nothing() -> None:
    standing = build_rule_set(Settings(select=("syntax-error",))).by_name["syntax-error"]
    assert isinstance(standing, StandIn)
    assert list(standing.check_file(None)) == [] and standing._rule is None  # type: ignore[arg-type]


def test_the_engine_calls_a_rule_given_as_itself_on_every_hook() -> None:
    # A rule a script or a test builds (no index entry) is called as before: every rule's check_file.
    from collections.abc import Iterator

    from migralint.findings import Finding
    from migralint.findings import Severity
    from migralint.rules.base import Rule

    class SaysFileEnds(Rule):
        name = "says-file-ends"
        severity = Severity.ERROR
        summary = why = bad = good = "x"

        def check_file(self, ctx: object) -> Iterator[Finding]:
            yield ctx.finding(self, "end", location=0)  # type: ignore[attr-defined]

    from migralint.linter.engine import lint_text
    from migralint.migrations.layouts import RunnerMode, Section

    sql = "SELECT 1;\n"
    report = lint_text(sql, path="m.sql", sections=[Section(0, len(sql), RunnerMode.AUTOCOMMIT, False)],
                       settings=Settings(select=("says-file-ends",)),
                       rules=RuleSet([SaysFileEnds()], ["says-file-ends"]))
    assert [f.rule for f in report.findings] == ["says-file-ends"]


@pytest.mark.parametrize("select", [(), ("ALL",)])
def test_findings_are_those_of_the_rule_classes(select: tuple[str, ...]) -> None:
    sql = Path(__file__).parent.joinpath("rules", "fixtures", "ban-drop-column.sql").read_text(encoding="utf-8")
    settings = Settings(select=select or None)
    enabled = build_rule_set(settings).enabled
    as_classes = RuleSet([rule() for rule in ALL_RULES if rule.name in enabled], BY_NAME)
    from migralint.linter.engine import lint_text
    from migralint.migrations.layouts import RunnerMode, Section

    direct = lint_text(sql, path="m.sql", sections=[Section(0, len(sql), RunnerMode.AUTOCOMMIT, False)],
                       settings=settings, rules=as_classes)
    assert direct.findings and lint_sql(sql, settings=settings, path="m.sql").findings == direct.findings


def test_a_cold_lint_imports_the_rules_of_its_statements_only(tmp_path: Path) -> None:
    (tmp_path / "1_a.sql").write_text('CREATE INDEX "i" ON "t"("x");\n')
    code, modules, _ = imported(["lint", "--format", "json", "--no-cache", "1_a.sql"], tmp_path)
    assert code == 1
    # A CREATE INDEX reaches the rules of IndexStmt and of the CREATE_INDEX kind; check_file and
    # finish_section run on every file; the history rules on every folder.
    wanted = {e.module for e in RULES if e.default_enabled and Dialect.POSTGRESQL.value in e.dialects and (
        "IndexStmt" in e.nodes or "CREATE_INDEX" in e.kinds or {"check_file", "finish_section"} & set(e.hooks))}
    statement_rules = {m for m in rule_modules(modules) if not RULE_MODULES[m].history}
    assert "migralint.rules.require_concurrent_index_creation" in statement_rules
    assert statement_rules == wanted
    assert "migralint.rules.ban_drop_column" not in modules and "migralint.rules.syntax_error" not in modules


def test_a_run_whose_files_are_all_cache_hits_imports_no_statement_rule(tmp_path: Path) -> None:
    cold_modules, warm_modules = cold_then_warm(tmp_path)
    assert "migralint.rules.require_concurrent_index_creation" in cold_modules
    # What is left are the history rules, which look at the folder on every run; the ones that word
    # what git or a database says (edited, deleted, failed, missing) only when a source said it.
    loaded = rule_modules(warm_modules)
    assert loaded and all(RULE_MODULES[m].history for m in loaded), loaded
    assert not any(RULE_MODULES[m].event for m in loaded), loaded


@pytest.mark.parametrize("settings", [Settings(), Settings(select=("ALL",)), Settings(extend_ignore=("ban-truncate",))])
def test_the_cache_key_is_the_rule_classes_key(settings: Settings) -> None:
    # A stand-in's class bears its rule's module and name: cache.run_key names the rules by them,
    # so a cache written before the rules were loaded lazily (or after) is the same cache.
    from migralint.cache import run_key

    enabled = build_rule_set(settings).enabled
    as_classes = RuleSet([rule() for rule in ALL_RULES if rule.name in enabled], BY_NAME)
    assert run_key(settings, build_rule_set(settings), "/p", "v") == run_key(settings, as_classes, "/p", "v")


def test_choosing_the_rules_and_reading_their_metadata_imports_none() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from migralint.config import Settings\n"
        "from migralint.rules.registry import build_rule_set\n"
        "from migralint.report.sarif import sarif_document\n"
        "from migralint.findings import LintResult\n"
        "rules = build_rule_set(Settings(select=('ALL',)))\n"
        "assert len(sarif_document(LintResult())['runs'][0]['tool']['driver']['rules']) == len(rules.rules)\n"
        "print('\\n'.join(m for m in sys.modules if m.startswith('migralint.rules.')))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert rule_modules(run.stdout.split()) == set() and "migralint.rules.base" not in run.stdout.split()
