"""/docs and /redoc load every file they need from this server, so they work with no network."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.web.helpers import live_server

ASSET_TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
}


class AssetLinks(HTMLParser):
    """The URLs a page loads: script src and link href."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("docs")) as server, server.client() as client:
        yield server, client


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_page_loads_only_files_of_this_server(docs_server, page):
    server, client = docs_server
    html = client.get(page)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    external = [url for url in re.findall(r"https?://[^\s\"'<>)]+", html.text) if not url.startswith(server.url)]
    assert external == [], f"{page} names other hosts: {external}"
    assert "/openapi.json" in html.text
    links = AssetLinks()
    links.feed(html.text)
    assert any(url.endswith(".js") for url in links.urls), links.urls
    for url in links.urls:
        assert url.startswith("/"), url  # served here, under this server's root
        asset = client.get(url)
        assert asset.status_code == 200, url
        suffix = url[url.rindex(".") :]
        media_type = asset.headers["content-type"].split(";")[0]
        assert media_type in ASSET_TYPES[suffix], (url, media_type)
        assert len(asset.content) > 1000, url  # the real file, not a stub


def test_swagger_ui_bundle_renders_openapi_3_1(docs_server):
    """FastAPI writes OpenAPI 3.1; Swagger UI before 5 shows a blank 'unsupported version' page for it."""
    _server, client = docs_server
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    links = AssetLinks()
    links.feed(client.get("/docs").text)
    (bundle,) = [url for url in links.urls if url.endswith("swagger-ui-bundle.js")]
    assert "isOAS31" in client.get(bundle).text
