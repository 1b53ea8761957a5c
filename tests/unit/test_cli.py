"""The one command: help in both languages, --set overrides, clear errors."""

from __future__ import annotations

import pytest

from portal import cli
from portal.settings import SettingsError, load, parse_override


@pytest.mark.parametrize("argv, words", [
    (["--help"], ["cách dùng: portal", "Kiểm tra toàn bộ nội dung", "tùy chọn"]),
    (["--lang", "en", "--help"], ["usage: portal", "Report every problem", "options"]),
    (["build", "--lang", "en", "--help"], ["--set KEY=VALUE", "change one setting for this run"]),
])
def test_help_in_vietnamese_and_english(argv, words, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(argv)
    assert done.value.code == 0
    out = capsys.readouterr().out
    for word in words:
        assert word in out


def test_set_values_are_json_when_they_parse():
    assert parse_override("SEARCH_INDEX=false") == ("SEARCH_INDEX", False)
    assert parse_override("FEEDS_MAX_ITEMS=20") == ("FEEDS_MAX_ITEMS", 20)
    assert parse_override("PATH=content") == ("PATH", "content")
    assert parse_override('CAP_GEOCODES=[["ISO 3166-2", "VN-02"]]') == ("CAP_GEOCODES", [["ISO 3166-2", "VN-02"]])
    with pytest.raises(SettingsError, match="TÊN=GIÁ_TRỊ"):
        parse_override("search_index")


def test_overrides_reach_pelicans_settings(tmp_path):
    from conftest import ROOT

    settings = load(ROOT / "pelicanconf.py", {"SEARCH_INDEX": False, "PATH": str(tmp_path)})
    assert settings["SEARCH_INDEX"] is False and settings["PATH"] == str(tmp_path)
    assert settings["PLUGINS"][0] == "articles"


def test_a_missing_settings_file_is_explained(tmp_path, capsys):
    assert cli.main(["check", "--settings", str(tmp_path / "none.py")]) == 2
    assert "Không có tệp cấu hình" in capsys.readouterr().err
    assert cli.main(["check", "--lang", "en", "--settings", str(tmp_path / "none.py")]) == 2
    said = capsys.readouterr().err
    assert said.startswith("Error: Settings file ") and "Fix: " in said and "Không" not in said


def test_a_settings_file_that_is_not_python_names_its_line_in_both_languages(tmp_path):
    bad = tmp_path / "conf.py"
    bad.write_text('SITENAME = "x"\nSEARCH_INDEX = Tru\n', encoding="utf-8")
    with pytest.raises(SettingsError) as problem:
        load(bad)
    assert "dòng 2" in str(problem.value) and "NameError" in str(problem.value)
    assert "line 2" in problem.value.said("en") and "Fix: " in problem.value.said("en")
    bad.write_text("X = (\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="dòng 1"):
        load(bad)
    # the mistake in the file the settings file imports (publishconf.py reads pelicanconf.py): that one is named
    (tmp_path / "goc.py").write_text('SITENAME = "x"\n\nPAGINATION = muoi\n', encoding="utf-8")
    bad.write_text(f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nfrom goc import *\n", encoding="utf-8")
    with pytest.raises(SettingsError) as problem:
        load(bad)
    assert "goc.py, line 3" in problem.value.said("en") and "NameError" in str(problem.value)


def test_a_settings_file_that_does_not_run_is_said_in_the_language_its_lines_ask(tmp_path, capsys):
    bad = tmp_path / "conf.py"
    bad.write_text('SITENAME = "x"\nPORTAL_LANG = "vi"\nPORTAL_MESSAGES_LANG = "en"  # for the operator\n'
                   "SEARCH_INDEX = Tru\n", encoding="utf-8")
    assert cli.main(["check", "--settings", str(bad)]) == 2
    said = capsys.readouterr().err
    assert said.startswith("Error: ") and "line 4" in said and "dòng" not in said, said
    assert cli.main(["check", "--lang", "vi", "--settings", str(bad)]) == 2  # --lang wins
    assert "dòng 4" in capsys.readouterr().err
    bad.write_text('PORTAL_MESSAGES_LANG = "en"\nX = (\n', encoding="utf-8")  # (not even Python)
    assert cli.main(["check", "--settings", str(bad)]) == 2
    assert "line 2" in capsys.readouterr().err
    bad.write_text('if False:\n    PORTAL_MESSAGES_LANG = "en"\nPORTAL_MESSAGES_LANG = "vi"\nX = Y\n',
                   encoding="utf-8")  # (indented: not what the file sets; the last line of it wins)
    assert cli.main(["check", "--settings", str(bad)]) == 2
    assert "dòng 4" in capsys.readouterr().err


def test_a_settings_error_is_said_in_the_language_the_settings_or_the_command_ask(tmp_path, capsys, monkeypatch):
    from conftest import ROOT

    english = tmp_path / "conf.py"
    english.write_text(f"from pelicanconf import *\nPORTAL_MESSAGES_LANG = 'en'\nPATH = {str(ROOT / 'content')!r}\n"
                       f"THEME = {str(tmp_path / 'none')!r}\n", encoding="utf-8")
    monkeypatch.chdir(ROOT)  # (the settings file imports the project's)
    assert cli.main(["check", "--settings", str(english)]) == 2
    said = capsys.readouterr().err
    assert said.startswith("Error: ") and "no such theme folder" in said, said
    assert cli.main(["check", "--lang", "vi", "--settings", str(english)]) == 2  # --lang wins
    assert "không có thư mục giao diện" in capsys.readouterr().err
    assert cli.main(["check", "--set", 'PORTAL_MESSAGES_LANG="en"', "--set", "SEARCH_INDX=false"]) == 2
    assert capsys.readouterr().err.startswith('Error: --set SEARCH_INDX: no such setting. Did you mean "SEARCH_INDEX"?')
    assert cli.main(["check", "--set", 'PORTAL_MESSAGES_LANG="en"', "--set", "search_index=false"]) == 2
    assert "write NAME=VALUE" in capsys.readouterr().err


def test_the_check_refuses_settings_a_plugin_refuses_as_the_build_does(capsys):
    assert cli.main(["check", "--set", 'CAP_SENDER="a b"']) == 2
    assert "cap_alerts: CAP_SENDER = 'a b' trong cấu hình" in capsys.readouterr().err
    assert cli.main(["check", "--lang", "en", "--set", 'CALENDAR_PATH="../x"']) == 2
    assert "calendars: CALENDAR_PATH = '../x' in the settings" in capsys.readouterr().err
    # a plugin that cannot be loaded is logged by Pelican, not raised (in a process of its own: the plugins this
    # one loaded keep their signals)
    import subprocess
    import sys

    from conftest import ROOT

    done = subprocess.run([sys.executable, "-m", "portal", "check", "--lang", "en", "--set",
                           'PLUGINS=["articles", "khong_co"]'], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "Pelican could not load a plugin (Cannot load plugin `khong_co`)" in done.stderr


def test_a_settings_error_keeps_both_languages_across_processes():
    """A plugin's settings error is raised in the build's own process and read, pickled, by the command."""
    import pickle

    problem = pickle.loads(pickle.dumps(SettingsError("Sai cấu hình X", "Setting X is wrong").prefixed("feeds: ")))
    assert (str(problem), problem.said("vi"), problem.said("en")) == (
        "feeds: Sai cấu hình X", "feeds: Sai cấu hình X", "feeds: Setting X is wrong")
    assert SettingsError("Chỉ tiếng Việt").said("en") == "Chỉ tiếng Việt"  # (Pelican's own, passed on as it is)


def test_a_misspelt_or_mistyped_setting_is_refused():
    from conftest import ROOT

    with pytest.raises(SettingsError, match='Có phải "SEARCH_INDEX"') as problem:
        load(ROOT / "pelicanconf.py", {"SEARCH_INDX": False})
    assert problem.value.said("en") == '--set SEARCH_INDX: no such setting. Did you mean "SEARCH_INDEX"?'
    with pytest.raises(SettingsError, match="viết true hoặc false") as problem:
        load(ROOT / "pelicanconf.py", {"SEARCH_INDEX": "nope"})
    assert "write true or false" in problem.value.said("en")


def test_a_number_for_a_text_setting_is_refused_with_the_quoting():
    from conftest import ROOT

    with pytest.raises(SettingsError, match=r"""--set SITEURL='"42"'"""):
        load(ROOT / "pelicanconf.py", {"SITEURL": 42})
    assert load(ROOT / "pelicanconf.py", {"SITEURL": "https://example.org"})["SITEURL"] == "https://example.org"


def test_a_missing_content_folder_is_explained_not_a_traceback(tmp_path, capsys):
    from conftest import ROOT

    with pytest.raises(SettingsError, match="Không có thư mục nội dung .*none.*--content"):
        load(ROOT / "pelicanconf.py", {"PATH": str(tmp_path / "none")})
    assert cli.main(["build", "--settings", str(ROOT / "pelicanconf.py"), "--content", str(tmp_path / "none"),
                     "--output", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "Không có thư mục nội dung" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_the_build_command_ends_without_pythons_teardown_yet_says_everything(tmp_path, fixture_content):
    """``python -m portal build`` ends with os._exit once the exit handlers have run and the output is
    flushed: the exit status and every line are there, and the build's temporary files are gone."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    bad = subprocess.run([sys.executable, "-m", "portal", "build", "--content", str(tmp_path / "none"),
                          "--output", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and "Không có thư mục nội dung" in bad.stderr and bad.stderr.endswith("\n")
    assert sorted(p.name for p in temp.iterdir()) == []
    out = tmp_path / "out"
    good = subprocess.run([sys.executable, "-m", "portal", "build", "--content", str(fixture_content), "--output",
                           str(out), "--set", "SEARCH_INDEX=false"], cwd=ROOT, capture_output=True, text=True,
                          env={**env, "PORTAL_NOW": "2026-11-26T09:00:00+07:00"})
    assert good.returncode == 0, good.stderr
    assert good.stdout.rstrip().endswith("giây.") or good.stderr.rstrip().endswith("giây.")
    assert (out / "index.html").is_file() and sorted(p.name for p in temp.iterdir()) == []


def test_a_settings_file_whose_own_content_folder_is_missing_is_explained(tmp_path):
    settings = tmp_path / "conf.py"
    settings.write_text(f'PATH = "{tmp_path / "gone"}"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="Không có thư mục nội dung .*gone"):
        load(settings)
    with pytest.raises(SettingsError, match="Không có thư mục nội dung .*gone"):
        load(settings, {"OUTPUT_PATH": str(tmp_path / "out")})  # read once more to check the names


def test_a_publish_whose_settings_do_not_load_leaves_nothing_behind(tmp_path):
    from portal.tools.publish import publish

    base = tmp_path / "srv" / "portal"
    with pytest.raises(SettingsError):
        publish(base, tmp_path / "khong-co.py")
    assert not base.exists()  # no release folder, no lock file


def test_a_set_value_is_shown_as_it_was_written():
    from conftest import ROOT

    with pytest.raises(SettingsError) as problem:
        load(ROOT / "pelicanconf.py", {"SEARCH_INDEX": None})
    assert "--set SEARCH_INDEX=null: viết true hoặc false" in str(problem.value)  # (not None)
