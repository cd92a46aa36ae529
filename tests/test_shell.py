"""The app's shell asks the worker for every module of the app at once (modulepreload), not
level by level down a chain of imports; what it lists must be exactly what the app imports."""

from __future__ import annotations

import re
from pathlib import Path

from webapp.pwa import views as pwa

STATIC = Path(pwa.STATIC_DIR)


def preloaded(html: str) -> list[str]:
    return re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)


def test_the_shell_preloads_every_module_the_app_imports(client):
    shell = client.get("/app/")
    assert shell.status_code == 200 and shell.headers["Cache-Control"] == "no-cache"
    html = shell.get_data(as_text=True)
    links = preloaded(html)
    graph = pwa.module_graph()
    assert graph[0] == "/static/js/app.js" and links == graph[1:]
    assert '<script src="/static/js/boot.js" defer></script>' in html
    assert not any("/vendor/" in url or "/office/" in url for url in links)
    # Every module imported by a preloaded one is preloaded too: the chain is flat.
    for url in graph:
        source = (STATIC / url.removeprefix("/static/")).read_text(encoding="utf-8")
        for target in pwa.STATIC_IMPORT.findall(source):
            resolved = (STATIC / url.removeprefix("/static/")).parent.joinpath(target).resolve()
            assert "/static/" + resolved.relative_to(STATIC).as_posix() in graph, (url, target)


def test_the_shell_is_revalidated_by_its_etag(client):
    etag = client.get("/app/").headers["ETag"]
    assert client.get("/app/", headers={"If-None-Match": etag}).status_code == 304


def test_the_import_reader_sees_every_form_of_static_import(tmp_path, monkeypatch):
    (tmp_path / "js" / "views").mkdir(parents=True)
    (tmp_path / "js" / "app.js").write_text(
        "import { a,\n  b } from './a.js';\n"
        "import './side.js';\n"
        'export { c } from "./views/c.js";\n'
        "export * from './d.js';\n"
        "const later = () => import('./lazy.js');\n"
        "// import { x } from './commented.js' is read too, harmlessly, only if the file exists\n"
    )
    for name in ("a.js", "side.js", "views/c.js", "d.js", "lazy.js"):
        (tmp_path / "js" / name).write_text("export const x = 1;\n")
    (tmp_path / "js" / "views" / "c.js").write_text("import '../a.js';\n")
    monkeypatch.setattr(pwa, "STATIC_DIR", tmp_path)
    assert pwa.module_graph() == [
        "/static/js/app.js",
        "/static/js/a.js",
        "/static/js/side.js",
        "/static/js/views/c.js",
        "/static/js/d.js",
    ]
