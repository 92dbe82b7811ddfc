from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import main
from store import Archive
from web import create_app

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True, scope="session")
def english_terminal(tmp_path_factory):
    """The terminal speaks the locale's language (`indexer.language`): the tests that read
    its English lines run, and start their subprocesses, in an English locale whatever the
    machine's; tests of the other languages set theirs. The catalogs the CLI writes for
    click's messages go to a cache of the suite's own, not the user's."""
    names = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "XDG_CACHE_HOME")
    before = {name: os.environ.pop(name, None) for name in names}
    os.environ["LANG"] = "C.UTF-8"
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    for name, value in before.items():
        os.environ.pop(name, None)
        if value is not None:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def embedded_index(monkeypatch):
    """Every test searches the archive's own index unless it names a cluster itself: a
    WENHAI_CLUSTER set where the suite runs must not move the other tests onto it."""
    monkeypatch.delenv("WENHAI_CLUSTER", raising=False)


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """A private copy of the project's sample articles (tests may modify it)."""
    dst = tmp_path / "samples"
    shutil.copytree(SAMPLES, dst)
    return dst


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def wenhai(runner: CliRunner, home: Path):
    """Run the `wenhai` CLI against the test archive: wenhai("ingest", path)."""

    def run(*args: str | Path):
        return runner.invoke(main, ["--home", str(home), *map(str, args)], catch_exceptions=False)

    return run


@pytest.fixture
def ingested(wenhai, samples: Path, home: Path) -> Path:
    result = wenhai("ingest", samples)
    assert result.exit_code == 0, result.output
    return home


@pytest.fixture
def archive(ingested: Path):
    with Archive(ingested) as a:
        yield a


@pytest.fixture
def app(ingested: Path):
    return create_app({"WENHAI_HOME": str(ingested), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def article_id(archive: Archive, title_fragment: str) -> int:
    """The id of the one article whose title contains `title_fragment`."""
    hits = archive.search(f"title:{title_fragment}").hits
    assert len(hits) == 1, [h.title for h in hits]
    return hits[0].id


@pytest.fixture
def client_for():
    """A Flask test client over the archive in a given home."""

    def make(home: Path):
        return create_app({"WENHAI_HOME": str(home), "TESTING": True}).test_client()

    return make
