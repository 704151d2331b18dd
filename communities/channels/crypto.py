"""Webhook URLs at rest: Fernet (AES-128-CBC with HMAC-SHA256) under a key from the settings.

The key is derived with HKDF from CHANNEL_KEY when set, else from SECRET_KEY, so a database
dump alone never yields a URL. Keys in SECRET_KEY_FALLBACKS still decrypt, so rotating
SECRET_KEY the Django way keeps connected channels working until they are reconnected.
"""

import base64
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"socialearn community channel webhook"


class WebhookKeyError(Exception):
    """The stored URL cannot be decrypted with the keys of this configuration."""


def _fernet(secret: str) -> Fernet:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(raw))


def _keys() -> MultiFernet:
    primary = getattr(settings, "CHANNEL_KEY", "") or settings.SECRET_KEY
    fallbacks = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    secrets = [primary, *(s for s in fallbacks if s and s != primary)]
    return MultiFernet([_fernet(s) for s in secrets])


def url_encrypt(url: str) -> str:
    return _keys().encrypt(url.encode()).decode()


def url_decrypt(token: str) -> str:
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        raise WebhookKeyError("The webhook address cannot be read with this key") from None


def url_hint(url: str) -> str:
    """What a page may show of a webhook URL: its host and its last four characters."""
    host = urlsplit(url).hostname or "?"
    return f"{host} …{url[-4:]}"
