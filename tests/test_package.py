"""What users install: the sdist and the wheel built from it, installed into a fresh
virtualenv and run from outside the source tree.

The rest of the suite imports wenhai from the source tree, where every template and
static file is at hand; a file the package leaves out (opensearch.xml once was) is only
missed by someone who installed wenhai. So this test builds the distributions as pip
would, installs the wheel with its dependencies into a new virtualenv, and drives the
installed `wenhai` command: ingest the samples, check the archive, serve it and fetch
every route and every static file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path
from urllib.error import HTTPError

import pytest

from web import create_app

from .conftest import SAMPLES

ROOT = Path(__file__).resolve().parent.parent
QUIET_PIP = ["--quiet", "--quiet", "--disable-pip-version-check"]


def _run(*args, cwd: Path, timeout: float = 600, env: dict | None = None) -> str:
    """What the command printed on stdout and stderr; it must succeed."""
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel built from wenhai's sdist; its bin folder."""
    tmp = tmp_path_factory.mktemp("package")
    # from a copy of the files in version control: a source tree's leftovers (build/,
    # *.egg-info/ from an earlier build) would hand setuptools files it left out itself
    source = tmp / "source"
    for name in _source_files("."):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    # `python -m build` makes the sdist, then the wheel from the unpacked sdist: a
    # file missing from either fails here or below
    built = _run(sys.executable, "-m", "build", "--outdir", tmp / "dist", source, cwd=tmp)
    # the packaging is declared the current way: no deprecation or "would be ignored"
    # warnings for whoever installs it (`make run` once opened with ~190 such lines)
    assert "Warning" not in built, built
    (wheel,) = (tmp / "dist").glob("wenhai-*.whl")
    assert list((tmp / "dist").glob("wenhai-*.tar.gz")), "no sdist built"
    _run(sys.executable, "-m", "venv", tmp / "venv", cwd=tmp)
    bin_ = tmp / "venv" / "bin"
    _run(bin_ / "python", "-m", "pip", "install", *QUIET_PIP, wheel, cwd=tmp)
    return bin_


LEFTOVERS = {"__pycache__", "build", "dist", ".venv", ".git", ".pytest_cache"}


def _source_files(under: str) -> set[str]:
    """The files under `under` that version control holds (paths from the root)."""
    listed = subprocess.run(["git", "ls-files", "-z", under], cwd=ROOT, capture_output=True,
                            text=True)
    if listed.returncode != 0:  # not a git checkout (an unpacked sdist): the folder as is
        return {p.relative_to(ROOT).as_posix() for p in (ROOT / under).rglob("*")
                if p.is_file() and not LEFTOVERS.intersection(p.relative_to(ROOT).parts)
                and not any(part.endswith(".egg-info") for part in p.parts)}
    return {name for name in listed.stdout.split("\0") if name}


def test_the_wheel_holds_every_module_template_and_static_file(installed):
    (wheel,) = (installed.parent.parent / "dist").glob("wenhai-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f for top in ("store", "indexer", "web") for f in _source_files(top)}
    assert shipped, "no source files found"
    assert shipped - names == set()


def test_the_installed_command_ingests_checks_and_serves_every_route(installed, tmp_path):
    # outside the source tree, so nothing can be imported from it
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = _run(installed / "python", "-c", "import web; print(web.__file__)", cwd=work)
    assert str(installed.parent) in where and str(ROOT) not in where
    shutil.copytree(SAMPLES, work / "samples")
    wenhai = installed / "wenhai"
    home = work / "home"
    out = _run(wenhai, "--home", home, "ingest", work / "samples", cwd=work)
    assert re.search(r"[1-9]\d* added", out), out
    _run(wenhai, "--home", home, "check", cwd=work)
    # the terminal's catalog ships and compiles in the installed package
    taiwan = {**os.environ, "LANG": "zh_TW.UTF-8", "LANGUAGE": "", "LC_ALL": ""}
    again = _run(wenhai, "--home", home, "ingest", work / "samples", cwd=work, env=taiwan)
    assert re.search(r"新增 0，更新 0，未變 [1-9]\d*，重複 0，失敗 0 —— 文海已是最新", again), again
    assert "搜尋文海" in _run(wenhai, "--help", cwd=work, env=taiwan)
    # and click's own messages, from the catalog it writes into the user's cache
    cache = work / "cache"
    missing = subprocess.run([str(wenhai), "search"], cwd=work, capture_output=True,
                             text=True, timeout=60, env={**taiwan, "XDG_CACHE_HOME": str(cache)})
    assert missing.returncode == 2
    assert missing.stderr.splitlines()[-1] == "Error: 缺少參數 'QUERY'.", missing.stderr
    assert (cache / "wenhai" / "locale").is_dir()

    server = subprocess.Popen([str(wenhai), "--home", str(home), "serve", "--port", "0"],
                              cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        said = []
        while len(said) < 5 and not re.search(r"Serving on (http://\S+/)", "".join(said)):
            said.append(server.stdout.readline())
        m = re.search(r"Serving on (http://\S+/)", "".join(said))
        assert m, "".join(said) + (server.stderr.read() if server.poll() is not None else "")
        base = m.group(1).rstrip("/")
        _fetch_every_route(base)
    finally:
        server.terminate()
        server.communicate(timeout=30)


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read()
    except HTTPError as e:
        return e.code, e.read()


def _fetch_every_route(base: str) -> None:
    status, body = _get(base + "/api/search?q=%E7%A0%81%E5%A4%B4")  # 码头
    assert status == 200, body
    article = json.loads(body)["hits"][0]["id"]
    queries = {"/search": "?q=%E7%A0%81%E5%A4%B4", "/api/search": "?q=%E7%A0%81%E5%A4%B4",
               "/api/suggest": "?q=%E7%A0%81", "/api/kwic": "?q=%E7%A0%81%E5%A4%B4",
               "/kwic/download": "?q=%E7%A0%81%E5%A4%B4",
               "/api/trends": "?q=%E7%A0%81%E5%A4%B4", "/trends/download": "?q=%E7%A0%81%E5%A4%B4"}
    rules = [r.rule for r in create_app({"WENHAI_HOME": "unused"}).url_map.iter_rules()]
    assert len(rules) > 5
    fetched = []
    for rule in rules:
        if rule.startswith("/static/"):
            continue
        path = rule.replace("<int:article_id>", str(article))
        status, body = _get(base + path + queries.get(rule, ""))
        assert status == 200, f"{path}: {status} {body[:300]!r}"
        fetched.append(path)
    assert "/opensearch.xml" in fetched
    static = sorted(_source_files("web/static"))
    assert static
    for name in static:
        status, body = _get(base + "/static/" + name.removeprefix("web/static/"))
        assert status == 200, name
        assert body == (ROOT / name).read_bytes(), name
    # the catalogs ship and compile in the installed package: every language, every page
    for lang, tag, word in [("zh_Hant", "zh-Hant", "搜尋"), ("en", "en", "Search")]:
        status, body = _get(f"{base}/search?q=%E7%A0%81%E5%A4%B4&lang={lang}")
        page = body.decode()
        assert status == 200 and f'<html lang="{tag}">' in page and f">{word}</button>" in page
