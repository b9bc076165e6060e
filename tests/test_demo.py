"""The demo folder the README lints, and Prisma init migrations, which must stay clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from migralint.config import Settings
from migralint.api import LintRequest, lint
from tests.helpers import rule_set
from tests.test_corpus import CORPUS

DEMO = Path(__file__).resolve().parents[1] / "migrations"


def _lint(paths: list[str]):  # type: ignore[no-untyped-def]
    settings = Settings()
    return lint(LintRequest(paths=paths, settings=settings, rules=rule_set(settings))).result


def test_demo_folder_flags_the_unsafe_migrations_only() -> None:
    result = _lint([str(DEMO)])
    found = sorted({(Path(f.path).parent.name, f.rule) for f in result.findings})
    assert found == [
        ("20240201120000_index_posts_by_title", "require-concurrent-index-creation"),
        ("20240201120000_index_posts_by_title", "require-lock-timeout"),
        ("20240301080000_require_user_plan", "adding-required-field"),
        ("20240301080000_require_user_plan", "require-lock-timeout"),
        ("20240315100000_rename_post_body", "renaming-column"),
        ("20240315100000_rename_post_body", "require-lock-timeout"),
        ("20240402110000_drop_user_name", "require-lock-timeout"),
    ]
    assert [(i.finding.rule, i.reason) for i in result.ignored] == [
        ("ban-drop-column", "unused since release 2.3 (see PR #412)")
    ]
    assert result.files_checked == 7


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the repository")
def test_prisma_init_migrations_of_real_projects_yield_no_findings() -> None:
    inits = sorted(str(p) for p in (CORPUS / "prisma").glob("*/*_init/migration.sql"))
    assert len(inits) >= 10
    result = _lint(inits)
    assert result.files_checked == len(inits)
    assert result.findings == [], result.findings[:3]
