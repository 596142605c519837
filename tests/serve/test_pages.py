"""The pages as a browser without JavaScript uses them: login with a token, CSRF on every form, the upload
form, the job page, the report, the library and the concordance, in Chinese and English."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from lancang.store import open_store
from tests.standards.test_html_report import inspected_report

from .conftest import Site
from .helpers import index_pud, tmx

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def csrf(site: Site, url: str = "/login") -> str:
    r = site.client.get(url)
    assert r.status_code == 200, r.text
    m = CSRF.search(r.text)
    assert m, "every form carries a CSRF token"
    return m.group(1)


def login(site: Site, user: str) -> None:
    r = site.client.post("/login", data={"token": site.tokens[user], "csrf": csrf(site)})
    assert r.status_code == 303 and r.headers["location"] == "/"


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_login_logout_and_csrf(site: Site) -> None:
    r = site.client.get("/", headers={"Accept-Language": "en"})
    assert "Not logged in" in r.text and 'id="nav-upload"' not in r.text
    token = csrf(site)
    r = site.client.post("/login", data={"token": site.tokens["alice"]})
    assert r.status_code == 403 and "CSRF" in r.text
    r = site.client.post("/login", data={"token": site.tokens["alice"], "csrf": "0" * 64})
    assert r.status_code == 403
    r = site.client.post("/login", data={"token": "lct_wrong", "csrf": token})
    assert r.status_code == 401 and "Unknown or revoked token." in r.text
    login(site, "alice")
    r = site.client.get("/")
    assert "Logged in as alice (submit)" in r.text and 'id="nav-upload"' in r.text
    jar = dict(site.client.cookies.items())
    tid, expires, mac = jar["lancang_session"].split(".")
    for forged in (f"{int(tid) + 1}.{expires}.{mac}", f"{tid}.{int(expires) + 9999}.{mac}", "1.2", ""):
        site.client.cookies.clear()
        site.client.cookies.set("lancang_session", forged)
        assert "Not logged in" in site.client.get("/").text, "a forged session is no session"
    site.client.cookies.clear()
    login(site, "alice")
    assert "Logged in as alice" in site.client.get("/").text
    r = site.client.post("/logout", data={})
    assert r.status_code == 403
    r = site.client.post("/logout", data={"csrf": csrf(site, "/")})
    assert r.status_code == 303 and "Not logged in" in site.client.get("/").text
    login(site, "alice")
    with open_store(site.db) as store:
        store.revoke_token(int(tid))
    assert "Not logged in" in site.client.get("/").text, "revoking a token ends its sessions"
    assert site.client.get("/upload").status_code == 303  # to the login page


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_upload_job_report_library_and_search_pages(site: Site, tmp_path: Path) -> None:
    index_pud(site.db, tmp_path)
    login(site, "alice")
    form = site.client.get("/upload", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "提交检查" in form.text and 'value="tmx-1.4b"' in form.text
    token = CSRF.search(form.text).group(1)
    with tmx().open("rb") as f:
        r = site.client.post("/upload", files={"corpus": ("Paragraph_TM.tmx", f)},
                             data={"profile": "tmx-1.4b", "name": "para", "public": "1"})
    assert r.status_code == 403
    with tmx().open("rb") as f:
        r = site.client.post("/upload", files={"corpus": ("Paragraph_TM.tmx", f)},
                             data={"csrf": token})
    assert r.status_code == 400 and 'id="error">choose at least one profile' in r.text and 'id="upload"' in r.text
    with tmx().open("rb") as f:
        r = site.client.post("/upload", files={"corpus": ("Paragraph_TM.tmx", f), "manifest": ("", b"")},
                             data={"profile": "tmx-1.4b", "csrf": token, "name": "para", "public": "1"})
    assert r.status_code == 303 and re.fullmatch(r"/jobs/\d+", r.headers["location"]), r.text
    job_url = r.headers["location"]
    for _ in range(600):
        page = site.client.get(job_url + "?lang=en")
        if 'data-state="done"' in page.text or 'data-state="failed"' in page.text:
            break
        assert 'http-equiv="refresh"' in page.text
        time.sleep(0.1)
    assert 'data-state="done"' in page.text and 'http-equiv="refresh"' not in page.text
    report_url = re.search(r'href="(/reports/\d+\?format=html&amp;lang=en)" id="open-report"', page.text).group(1)
    report = site.client.get(report_url.replace("&amp;", "&"))
    assert report.status_code == 200 and 'id="verdict">conformant<' in report.text

    corpus = site.client.get("/corpora/para?lang=zh")
    assert corpus.status_code == 200 and "报告" in corpus.text and 'class="report-zh"' in corpus.text
    assert 'id="fig-langs"' in corpus.text and "<svg" in corpus.text
    assert site.client.cookies.get("lancang_lang") == "zh"
    lib = site.client.get("/", params=[("language", "zh"), ("language", "th")])
    assert "澜沧语料库" in lib.text  # the language cookie
    assert 'data-corpus="pud"' in lib.text and 'data-corpus="para"' not in lib.text
    lib = site.client.get("/", params={"language": "de", "lang": "en"})
    assert 'data-corpus="pud"' not in lib.text and 'data-corpus="para"' in lib.text and "Library" in lib.text
    assert site.client.get("/", params={"licence": "CC-BY-SA-4.0"}).text.count("data-corpus=") == 1

    res = site.client.get("/search", params={"q": "北京", "side": "zh", "tgt": "th", "lang": "zh"})
    assert res.status_code == 200 and 'class="hit">北京<' in res.text and 'lang="th"' in res.text
    assert "第 1–" in res.text
    res = site.client.get("/search", params={"q": "(", "regex": "1", "lang": "en"})
    assert res.status_code == 200 and 'id="error"' in res.text and "not a valid regular expression" in res.text
    dl = site.client.get("/corpora/para/download", params={"format": "moses", "src": "de-DE", "tgt": "en-US"})
    assert dl.status_code == 200 and dl.headers["content-disposition"].endswith('filename="para.zip"')
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(dl.content)) as zf:
        names = sorted(zf.namelist())
        assert len(names) == 2 and all(n.startswith("para") for n in names)
        assert [len(zf.read(n).splitlines()) for n in names] == [7, 7]


def test_jobs_survive_a_restart(db: str, tmp_path: Path) -> None:
    from .conftest import make_tokens, start

    tokens = make_tokens(db)
    folder = tmp_path / "files"
    auth = {"Authorization": f"Bearer {tokens['alice']}"}
    jobs = []
    with start(db, folder, pool=False) as client:
        for name in ("a", "b", "c"):
            with tmx().open("rb") as f:
                r = client.post("/api/jobs", headers=auth, files={"corpus": ("p.tmx", f)},
                                data={"profile": "tmx-1.4b", "name": name})
            assert r.status_code == 202
            jobs.append(r.json()["job"])
        assert [client.get(f"/api/jobs/{j}", headers=auth).json()["state"] for j in jobs] == ["queued"] * 3
    with open_store(db) as store:  # a server killed mid-job: a running and a thrice-tried running job
        assert store.claim_job(["check"]).id == jobs[0]
        assert store.claim_job(["check"]).id == jobs[1]
        store._execute("UPDATE jobs SET attempts = 3 WHERE id = ?", (jobs[1],))
    with start(db, folder, workers=2) as client:
        states = {}
        for j in jobs:
            for _ in range(600):
                states[j] = client.get(f"/api/jobs/{j}", headers=auth).json()
                if states[j]["state"] in ("done", "failed"):
                    break
                time.sleep(0.1)
    assert states[jobs[0]]["state"] == "done" and states[jobs[0]]["attempts"] == 2
    assert states[jobs[1]]["state"] == "failed" and "interrupted 3 times" in states[jobs[1]]["error"]
    assert states[jobs[2]]["state"] == "done" and states[jobs[2]]["result"]["verdict"] == "conformant"


def test_token_cli(cli, tmp_path: Path) -> None:
    import orjson

    from lancang.serve.auth import user_for

    db = str(tmp_path / "lib.sqlite")
    r = cli("serve", "token", "create", "--name", "alice", "--role", "submit", "--db", db, "--format", "json")
    assert r.exit_code == 0, r.output
    made = orjson.loads(r.stdout)
    assert made["token"].startswith("lct_") and made["role"] == "submit" and made["id"] == 1
    with open_store(db) as store:
        assert user_for(store, made["token"]).name == "alice"
    r = cli("serve", "token", "list", "--db", db)
    assert r.exit_code == 0 and "alice" in r.output and made["token"] not in r.output
    assert cli("serve", "token", "revoke", "1", "--db", db).exit_code == 0
    r = cli("serve", "token", "revoke", "1", "--db", db)
    assert r.exit_code == 2 and "no live token with id 1" in r.output and "Traceback" not in r.output
    r = cli("serve", "token", "create", "--name", "x", "--role", "king", "--db", db)
    assert r.exit_code == 2
    r = cli("serve", "--db", "postgresql+bad://x", "--port", "0")
    assert r.exit_code == 2 and "unknown store" in r.output


# ---------------------------------------------------------------------------- the corpus page's charts
def _figures(html: str, section: str | None = None) -> list:
    from lxml import html as lhtml

    dom = lhtml.fromstring(html)
    root = dom.get_element_by_id(section) if section else dom
    return root.xpath(".//figure")


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_corpus_page_draws_its_stats_and_every_chart_of_its_latest_report(site: Site, tmp_path: Path, cli) -> None:
    from lxml import html as lhtml

    from lancang.corpora.samples import sample_path
    from lancang.standards.html import render_html
    from lancang.store import index_corpus

    rep = inspected_report(cli, tmp_path)
    with open_store(site.db) as store:
        index_corpus(store, sample_path(), name="sample", manifest=sample_path("sample.manifest.json"))
        older = store.add_report(store.corpus("sample"), "check", {**rep, "verdict": "incomplete"})
        latest = store.add_report(store.corpus("sample"), "check", rep)
        stats = store.corpus("sample").stats
    assert latest > older
    en = site.client.get("/corpora/sample?lang=en")
    assert en.status_code == 200, en.text
    ids = {f.get("id") for f in _figures(en.text, "stats")}
    assert {"fig-langs", "fig-chars", "fig-tokens", "fig-sides-per-record", "fig-layers", "fig-links",
            "fig-beads"} <= ids
    assert "fig-labels" not in ids and "fig-speech-hours" not in ids  # the sample has no entities, no speech
    dom = lhtml.fromstring(en.text)
    bars = dom.xpath("//figure[@id='fig-langs']//rect")
    assert len(bars) == len(stats["languages"]) == 7
    rows = dom.xpath("//table[@id='stats-languages']/tbody/tr[@data-language='th']/td")
    assert [r.text_content() for r in rows[:3]] == ["th", "48", f"{stats['languages']['th']['characters']:,}"]
    assert dom.xpath("//figure[@id='fig-beads']//text()")[-1] == "72"
    # the latest report's charts: every figure of its HTML report, drawn by the same functions
    section = dom.get_element_by_id("latest-report")
    assert section.get("data-report") == str(latest)
    mine = _figures(en.text, "latest-report")
    theirs = _figures(render_html(rep, "en"))
    assert sorted(f.xpath("string(figcaption)") for f in mine) == sorted(f.xpath("string(figcaption)") for f in theirs)
    assert len(mine) >= 6
    assert {f.get("id") for f in mine} >= {"report-by-verdict", "report-per-requirement", "report-segment-lengths",
                                           "report-length-ratios", "report-layer-coverage", "report-bead-types",
                                           "oc-curve"}
    svg = dom.xpath("//section[@id='latest-report']//figure[@id='oc-curve']/svg")[0]
    assert (svg.get("data-n"), svg.get("data-ac")) == ("5", "0")
    assert dom.get_element_by_id("latest-verdict").text_content() == rep["verdict"].replace("-", " ")
    assert "Requirements by verdict" in en.text and "Sides by language" in en.text and "OC curve" in en.text
    assert "Sentence beads by type" in en.text and "各结论的要求数" not in en.text
    zh = site.client.get("/corpora/sample?lang=zh")
    assert zh.status_code == 200
    for words in ("各结论的要求数", "各要求的问题数", "片段长度（字符）", "OC 曲线", "各语言侧数", "各语言字符数",
                  "标注层", "各语言", "句对齐珠类型", "抽样方案", "最新报告"):
        assert words in zh.text, words
    assert "Requirements by verdict" not in zh.text and "Sides by language" not in zh.text
    assert sorted(f.xpath("string(figcaption)") for f in _figures(zh.text, "latest-report")) == \
        sorted(f.xpath("string(figcaption)") for f in _figures(render_html(rep, "zh")))


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_corpus_page_labels_and_speech_blocks(site: Site) -> None:
    from lxml import html as lhtml

    from lancang.store import index_corpus

    from ..conftest import shared

    with open_store(site.db) as store:
        index_corpus(store, shared("ner", "id_idner2k", "dev.txt"), name="idner", fmt="conll", langs=["id"])
        index_corpus(store, shared("speech", "kaldi", "lhotse", "mini_librispeech"), name="libri", fmt="kaldi",
                     langs=["en"])
        labels = store.corpus("idner").stats["labels"]
        speech = store.corpus("libri").stats["speech"]["en"]
    assert labels and speech["segments"] == 38
    page = site.client.get("/corpora/idner?lang=en")
    dom = lhtml.fromstring(page.text)
    shown = dom.xpath("//figure[@id='fig-labels']/svg/text[position() mod 2 = 1]/text()")
    assert shown == list(labels)[:20] and "Entity labels" in page.text
    assert dom.xpath("//table[@id='stats-labels']/tbody/tr/@data-language") == ["id"]
    assert dom.get_element_by_id("no-report").text_content().startswith("No report yet")
    assert not dom.xpath("//*[@id='speech']")
    for lang, words in (("en", ("Speech", "Speech hours by language", "Speakers")),
                        ("zh", ("语音", "各语言语音时长（小时）", "说话人数"))):
        page = site.client.get(f"/corpora/libri?lang={lang}")
        dom = lhtml.fromstring(page.text)
        assert all(w in page.text for w in words), lang
        row = [td.text_content() for td in dom.xpath("//table[@id='stats-speech']/tbody/tr/td")]
        assert row[0] == "en" and row[3] == "38" and row[5] == str(speech["speakers"])
        assert dom.xpath("//figure[@id='fig-speech-hours']//rect") and dom.xpath("//figure[@id='fig-speakers']")


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_corpus_page_of_a_corpus_without_stats_or_reports(site: Site) -> None:
    with open_store(site.db) as store:
        store.create_corpus("bare")
        assert store.corpus("bare").stats is None
    for lang, word in (("en", "No statistics yet"), ("zh", "尚无统计")):
        page = site.client.get(f"/corpora/bare?lang={lang}")
        assert page.status_code == 200 and word in page.text
        assert 'id="no-stats"' in page.text and 'id="no-report"' in page.text and "<svg" not in page.text
