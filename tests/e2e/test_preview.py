"""`invoke preview`: rebuild on save, the open page refreshes, a broken file shows its error."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT

from portal import model
from portal.bench.corpus import generate_articles

ARTICLE = "tin-tuc/2026-11-10-tap-huan.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8")


def wait_for(predicate, timeout: float = 60, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


@pytest.fixture
def server(request, fixture_content, tmp_path):
    port = free_port()
    param = getattr(request, "param", [])
    extra = param.get("args", []) if isinstance(param, dict) else param
    log = tmp_path / "terminal.txt"
    env = {**os.environ, "PORTAL_NOW": "2026-11-26T09:00:00+07:00",
           **(param.get("env", {}) if isinstance(param, dict) else {})}
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "portal", "preview", "--port", str(port), "--content",
                                 str(fixture_content), "--output", str(tmp_path / "site"), *extra],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def ready():
        try:
            return json.loads(get(f"{url}/__preview/status")[1])["ok"] is not None
        except OSError:
            return False

    try:
        wait_for(ready, 90)
        yield {"url": url, "content": fixture_content, "log": log, "site": tmp_path / "site", "proc": proc}
    finally:
        proc.terminate()
        proc.wait(10)


def status(url: str) -> dict:
    return json.loads(get(f"{url}/__preview/status")[1])


def test_pages_get_the_reload_script_but_the_built_files_do_not(server):
    code, page = get(server["url"] + "/tin-tuc/")
    assert code == 200
    soup = BeautifulSoup(page, "html.parser")
    scripts = soup.find_all("script")
    assert any(s.get("src") == "/__preview/reload.js" and s.get("data-version") for s in scripts)
    assert all(s.get("src") and not s.string for s in scripts)  # no inline script (strict CSP)
    code, js = get(server["url"] + "/__preview/reload.js")
    assert code == 200 and "location.reload" in js
    wait_for(lambda: status(server["url"])["written"])
    assert "__preview" not in (server["site"] / "tin-tuc" / "index.html").read_text(encoding="utf-8")
    assert "Lần đầu: Đã xây dựng lại" in server["log"].read_text(encoding="utf-8")


def _broken_then_fixed(server, seen) -> None:
    """A bad date saved: every page is the error page (``seen(soup, terminal)`` checks it and what the
    terminal printed) and the server keeps running; fixed, the page comes back."""
    url, path = server["url"], server["content"] / ARTICLE
    good = path.read_text(encoding="utf-8")
    version = status(url)["version"]
    path.write_text(good.replace("Date: 2026-11-10", "Date: 2026-13-10", 1), encoding="utf-8")
    wait_for(lambda: status(url)["version"] > version and status(url)["ok"] is False)
    code, page = get(url + "/tin-tuc/")
    assert code == 500
    soup = BeautifulSoup(page, "html.parser")
    assert "2026-11-10-tap-huan.md:2" in soup.get_text()
    seen(soup, server["log"].read_text(encoding="utf-8"))
    assert server["proc"].poll() is None
    path.write_text(good, encoding="utf-8")
    wait_for(lambda: status(url)["ok"] is True)
    assert get(url + "/tin-tuc/")[0] == 200


@pytest.mark.hostile
def test_broken_file_shows_its_error_and_the_server_keeps_running(server):
    def seen(soup, terminal):
        assert "Chưa xây dựng được trang xem trước" in soup.get_text()
        assert "Ngày giờ không hợp lệ" in soup.get_text()
        assert "LỖI" in terminal and "Ngày giờ không hợp lệ" in terminal

    _broken_then_fixed(server, seen)


@pytest.mark.hostile
@pytest.mark.parametrize("server", [{"args": ["--lang", "en"]}], indirect=True)
def test_under_lang_en_the_error_page_and_the_terminal_speak_english(server):
    def seen(soup, terminal):
        assert soup.html["lang"] == "en" and soup.h1.get_text() == "The preview could not be built"
        text = soup.get_text()
        assert "Not a valid date and time" in text and "Ngày giờ" not in text and "Chưa xây dựng" not in text
        assert "First build: Rebuilt in" in terminal and "Watching for changes in" in terminal
        assert "ERROR" in terminal and "Not a valid date and time" in terminal and "LỖI" not in terminal

    _broken_then_fixed(server, seen)


@pytest.mark.browser
def test_open_page_refreshes_after_a_save(server, browser):
    url, path = server["url"], server["content"] / ARTICLE
    slug = model.parse_front_matter(path.read_text(encoding="utf-8"), ARTICLE).fields["slug"].text
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{url}/tin-tuc/{slug}.html")
    text = path.read_text(encoding="utf-8")
    started = time.monotonic()
    path.write_text(text.replace("Title: ", "Title: [Đã sửa] ", 1), encoding="utf-8")
    page.wait_for_function("document.title.indexOf('[Đã sửa]') >= 0", timeout=60_000)
    assert "[Đã sửa]" in page.locator("h1").first.inner_text()
    took = time.monotonic() - started
    # a broken save replaces the open page by the error, a fixed save brings the article back
    path.write_text(text.replace("Slug: ", "Slug: Sai Duong Dan ", 1), encoding="utf-8")
    page.wait_for_selector("#preview-error", timeout=60_000)
    assert "Đường dẫn chỉ được có chữ thường không dấu" in page.locator("#preview-error").inner_text()
    path.write_text(text, encoding="utf-8")
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_function("!document.getElementById('preview-error')", timeout=60_000)
    assert [e for e in errors if "status of 500" not in e] == []  # only the error page itself answers 500
    page.close()
    assert took < 60


def test_new_tags_are_served_at_once_and_the_related_articles_follow(server):
    """A save that changes only the tags: the page shows them before the model is rebuilt (the quick page),
    then reloads once more, as the rebuild gives it, with the related articles the new tags choose."""
    url, path = server["url"], server["content"] / ARTICLE
    slug = model.parse_front_matter(path.read_text(encoding="utf-8"), ARTICLE).fields["slug"].text
    page = f"{url}/tin-tuc/{slug}.html"
    wait_for(lambda: status(url)["ok"] is True)
    related_before = [a["href"] for a in BeautifulSoup(get(page)[1], "html.parser").select(".related a")]
    version = status(url)["version"]
    text = path.read_text(encoding="utf-8")
    path.write_text("\n".join("Tags: Chủ đề hoàn toàn mới" if line.startswith("Tags:") else line
                              for line in text.split("\n")), encoding="utf-8")
    wait_for(lambda: status(url)["version"] > version, step=0.01)
    shown = BeautifulSoup(get(page)[1], "html.parser")  # the quick page, or the rebuilt one if that was sooner
    assert [a.get_text() for a in shown.select(".tags a")] == ["Chủ đề hoàn toàn mới"]
    wait_for(lambda: status(url)["version"] >= version + 2)  # the rebuild differs: the page reloads again
    rebuilt = BeautifulSoup(get(page)[1], "html.parser")
    assert [a.get_text() for a in rebuilt.select(".tags a")] == ["Chủ đề hoàn toàn mới"]
    assert [a["href"] for a in rebuilt.select(".related a")] != related_before
    code, tag_page = get(f"{url}/the/chu-de-hoan-toan-moi/")
    assert code == 200 and f"/tin-tuc/{slug}.html" in tag_page


def test_scheduled_article_hidden_unless_previewed_at_its_time(server):
    assert get(server["url"] + "/tin-tuc/bai-hen-gio-chua-den-ngay.html")[0] == 404


@pytest.mark.parametrize("server", [["--now", "2026-12-20 09:00"]], indirect=True)
def test_preview_at_a_later_time_shows_the_scheduled_article(server):
    code, page = get(server["url"] + "/tin-tuc/bai-hen-gio-chua-den-ngay.html")
    assert code == 200 and "Bài hẹn giờ chưa đến ngày đăng" in page
    assert "Đồng hồ xem trước: 2026-12-20 09:00" in server["log"].read_text(encoding="utf-8")


def test_bench_content_is_valid(tmp_path):
    files = generate_articles(tmp_path / "content", 20)
    kinds = {p.parent.name for p in files}
    assert kinds == set(model.KINDS)
    env = dict(os.environ)
    done = subprocess.run([sys.executable, "-m", "portal", "check", "--content", str(tmp_path / "content")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout


@pytest.fixture
def own_settings(tmp_path_factory):
    """A settings file of one's own (the repository's, then one line changed), and a copy of the theme."""
    base = tmp_path_factory.mktemp("own")
    theme = base / "theme"
    import shutil

    shutil.copytree(ROOT / "theme", theme)
    conf = base / "conf.py"
    conf.write_text("import runpy\n"
                    f"globals().update({{k: v for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r}).items() "
                    "if k.isupper()})\n"
                    f"THEME = {str(theme)!r}\n"
                    f"PATH = {str(ROOT / 'content')!r}\n"
                    'SITENAME = "Cổng thử"\n', encoding="utf-8")
    return {"conf": conf, "theme": theme}


@pytest.mark.parametrize("server", [{"args": []}], indirect=True)
def test_odd_paths_are_not_found_and_a_folder_needs_no_slash(server):
    for odd in ("/%00", "/a%00.html", "/" + "x" * 5000 + ".html", "/" + "y" * 300 + ".xml", "/../../etc/passwd"):
        assert get(server["url"] + odd)[0] == 404, odd
    code, page = get(server["url"] + "/tin-tuc")
    assert code == 200 and "__preview/reload.js" in page


def test_a_broken_settings_file_is_shown_and_the_preview_keeps_running(fixture_content, tmp_path, own_settings):
    port = free_port()
    env = {**os.environ, "PORTAL_NOW": "2026-11-26T09:00:00+07:00"}
    conf = own_settings["conf"]
    with (tmp_path / "log.txt").open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "portal", "preview", "--port", str(port), "--settings",
                                 str(conf), "--content", str(fixture_content), "--output", str(tmp_path / "site")],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ok(url), 90)
        good = conf.read_text(encoding="utf-8")
        conf.write_text(good.replace('SITENAME = "Cổng thử"', 'SITENAME = ("abc'), encoding="utf-8")
        wait_for(lambda: status(url)["ok"] is False, 30)
        code, page = get(url + "/")
        assert code == 500 and "conf.py" in page and "SyntaxError" in page
        assert proc.poll() is None
        conf.write_text(good.replace("Cổng thử", "Cổng thử đã sửa"), encoding="utf-8")  # fixed: it restarts
        wait_for(lambda: "Cổng thử đã sửa" in _page(url + "/"), 90)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(10)


def test_a_template_mistake_is_shown_with_its_file_and_the_page_comes_back(fixture_content, tmp_path, own_settings):
    port = free_port()
    env = {**os.environ, "PORTAL_NOW": "2026-11-26T09:00:00+07:00"}
    with (tmp_path / "log.txt").open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "portal", "preview", "--port", str(port), "--settings",
                                 str(own_settings["conf"]), "--content", str(fixture_content), "--output",
                                 str(tmp_path / "site")], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    base = own_settings["theme"] / "templates" / "base.html"
    try:
        wait_for(lambda: _ok(url), 90)
        good = base.read_text(encoding="utf-8")
        version = status(url)["version"]
        base.write_text(good.replace("</footer>", "{{ none_such.x.y }}</footer>", 1), encoding="utf-8")
        wait_for(lambda: status(url)["version"] != version, 30)
        code, page = get(url + "/tin-tuc/")
        assert code == 500 and "base.html" in page and "reload.js" in page
        base.write_text(good, encoding="utf-8")
        wait_for(lambda: get(url + "/tin-tuc/")[0] == 200, 30)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(10)


def _ok(url: str) -> bool:
    try:
        return status(url)["ok"] is True
    except OSError:
        return False


def _page(url: str) -> str:
    try:
        return get(url)[1]
    except OSError:
        return ""
