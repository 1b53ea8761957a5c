"""The development servers build absolute URLs for the port they serve."""

from __future__ import annotations

from portal import cli


def test_run_builds_for_the_port_it_serves(monkeypatch, tmp_path):
    seen = {}
    from portal.tools import build, serve

    monkeypatch.setattr(serve, "export_snapshot", lambda: None)
    monkeypatch.setattr(build, "run", lambda settings, output, overrides, **kw: seen.update(overrides) or 0)
    monkeypatch.setattr(serve, "run", lambda output, port: 0)
    assert cli.main(["run", "--port", "8123", "--output", str(tmp_path / "o")]) == 0
    assert seen["PORTAL_SITEURL_ABSOLUTE"] == "http://127.0.0.1:8123"


def test_an_explicit_setting_wins(monkeypatch, tmp_path):
    seen = {}
    from portal.tools import build, serve

    monkeypatch.setattr(serve, "export_snapshot", lambda: None)
    monkeypatch.setattr(build, "run", lambda settings, output, overrides, **kw: seen.update(overrides) or 0)
    monkeypatch.setattr(serve, "run", lambda output, port: 0)
    cli.main(["run", "--port", "8123", "--output", str(tmp_path / "o"),
              "--set", 'PORTAL_SITEURL_ABSOLUTE="https://example.org"'])
    assert seen["PORTAL_SITEURL_ABSOLUTE"] == "https://example.org"
