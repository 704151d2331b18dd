"""The static files' addresses, kept per name (socialearn/storage.py), are the ones the plain
manifest storage gives, for every file it lists, as often as they are asked for."""

import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from socialearn.storage import KeptUrlsStaticFilesStorage

PATHS = {
    "css/socialearn.css": "css/socialearn.b88f19b4e432.css",
    "vendor/htmx/htmx.min.js": "vendor/htmx/htmx.min.0123456789ab.js",
    "fonts/x.woff2": "fonts/x.abcdefabcdef.woff2",
    "img/a b.svg": "img/a b.fedcba987654.svg",
}


@pytest.fixture
def storages(tmp_path, settings):
    settings.DEBUG = False
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": PATHS, "version": "1.1", "hash": "0"})
    )
    made = [
        cls(location=str(tmp_path), base_url="/static/")
        for cls in (CompressedManifestStaticFilesStorage, KeptUrlsStaticFilesStorage)
    ]
    return made


def test_every_listed_file_has_the_plain_storages_address(storages):
    plain, kept = storages
    names = [*PATHS, "css/socialearn.css#top", "fonts/x.woff2?#iefix", "css/"]
    for _pass in range(3):
        for name in names:
            assert kept.url(name) == plain.url(name), name
            assert kept.url(name, force=True) == plain.url(name, force=True), name
    assert kept.url("css/socialearn.css") == "/static/css/socialearn.b88f19b4e432.css"


def test_a_file_missing_from_the_manifest_fails_every_time(storages):
    plain, kept = storages
    for storage in (plain, kept, kept):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/not-there.css")


def test_debug_shows_the_unhashed_address(storages, settings):
    _plain, kept = storages
    assert kept.url("css/socialearn.css") == "/static/css/socialearn.b88f19b4e432.css"
    settings.DEBUG = True
    assert kept.url("css/socialearn.css") == "/static/css/socialearn.css"
