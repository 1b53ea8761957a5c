"""The OpenAPI document stays true: schemathesis against the running service."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from ratings.testing import ServiceProcess, write_manifest  # noqa: E402

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def test_openapi_document_is_served_and_names_every_route(tmp_path):
    manifest = write_manifest(tmp_path / "m.json", ["vi-du-bai-viet"])
    with ServiceProcess(tmp_path / "r.sqlite3", manifest) as svc:
        with urllib.request.urlopen(svc.url + "/api/openapi.json") as r:
            doc = json.load(r)
    assert set(doc["paths"]) == {"/api/ratings", "/api/ratings/{slug}"}
    assert set(doc["paths"]["/api/ratings/{slug}"]) >= {"get", "post"}
    post = doc["paths"]["/api/ratings/{slug}"]["post"]
    assert {"application/x-www-form-urlencoded", "application/json"} <= set(post["requestBody"]["content"])
    assert {"303", "400", "403", "413", "429"} <= set(post["responses"])


# 413 (body over 1 KiB) is a correct answer to a schema-violating request too.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "403", "404", "405", "413", "415", "429"]
"""


def run_schemathesis(tmp_path: Path, url: str, *headers: str) -> subprocess.CompletedProcess:
    (tmp_path / "schemathesis.toml").write_text(CONFIG)
    args = [str(SCHEMATHESIS), "--config-file", str(tmp_path / "schemathesis.toml"),
            "run", f"{url}/api/openapi.json", "--checks", "all", "--max-examples", "40", "--no-color",
            "--generation-database", "none", "--seed", "20261126", "--workers", "2"]
    for h in headers:
        args += ["--header", h]
    return subprocess.run(args, capture_output=True, text=True, timeout=150, cwd=tmp_path)


@pytest.mark.hostile
def test_schemathesis_finds_no_failure(tmp_path):
    manifest = write_manifest(tmp_path / "m.json", ["vi-du-bai-viet"])
    with ServiceProcess(tmp_path / "r.sqlite3", manifest, RATINGS_MAX_VOTES_PER_HOUR="1000000",
                        RATINGS_MAX_VOTERS_PER_ARTICLE_PER_DAY="1000000") as svc:
        proc = run_schemathesis(tmp_path, svc.url, f"Origin: {svc.url}")
        log = svc.log()
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "No issues found" in proc.stdout
    assert "Traceback" not in log and " 500 " not in log


@pytest.mark.hostile
def test_schemathesis_against_the_one_port_server_as_make_run_starts_it(tmp_path, sample_site):
    """Default caps, the built site mounted behind the API, no Origin header (like curl)."""
    with ServiceProcess(tmp_path / "r.sqlite3", sample_site.output / "api" / "ratings-manifest.json",
                        site_dir=sample_site.output) as svc:
        doc = json.load(urllib.request.urlopen(svc.url + "/api/openapi.json"))
        example = doc["paths"]["/api/ratings/{slug}"]["parameters"][0]["example"]
        assert example in json.loads((sample_site.output / "api" / "ratings-manifest.json").read_text())["articles"]
        proc = run_schemathesis(tmp_path, svc.url)
        log = svc.log()
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "Traceback" not in log
