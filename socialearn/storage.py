"""The static files' storage, each file's address worked out once per process."""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

# Far more than the static files there are; a name made up at run time cannot grow it more.
KEPT_URLS = 1024


class KeptUrlsStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's compressed manifest storage, with `url()` kept per name: every page
    asks for the same eight files' addresses (base.html), and each cost a manifest lookup,
    two URL parses and a join. The manifest is read once when the storage is made, so an
    address cannot change under it; collectstatic (post_process) starts the memo afresh, and
    DEBUG's unhashed addresses are not kept."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._kept_urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:
            return super().url(name, force)
        try:
            return self._kept_urls[name]
        except (KeyError, TypeError):
            pass
        url = super().url(name, force)
        if isinstance(name, str) and len(self._kept_urls) < KEPT_URLS:
            self._kept_urls[name] = url
        return url

    def post_process(self, *args, **kwargs):
        self._kept_urls = {}
        yield from super().post_process(*args, **kwargs)
        self._kept_urls = {}
