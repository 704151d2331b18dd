"""Provisioning tokens: what lets an identity provider call the SCIM endpoint.

Kept apart from the views: django-scim2 wraps its views in this check while defining them.
"""

import hashlib
import secrets

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django_scim.middleware import SCIMAuthCheckMiddleware

from ..models import ProvisioningToken


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def provisioning_token_create(*, name: str, created_by) -> tuple[ProvisioningToken, str]:
    """A new token; the clear text is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    record = ProvisioningToken.objects.create(
        name=name, token_hash=token_hash(token), hint=token[-4:], created_by=created_by
    )
    return record, token


def provisioning_token_revoke(token: ProvisioningToken) -> None:
    ProvisioningToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def provisioning_token_check(header: str) -> ProvisioningToken | None:
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    found = ProvisioningToken.objects.filter(
        token_hash=token_hash(token.strip()), revoked_at__isnull=True
    ).first()
    if found is not None:
        ProvisioningToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found


class BearerTokenCheck(SCIMAuthCheckMiddleware):
    """Let a request in only with a live provisioning token; never log bodies (they carry
    people's data and, from some providers, passwords)."""

    def should_log_request(self, request) -> bool:
        return False

    def process_request(self, request):
        request.provisioning_token = provisioning_token_check(
            request.headers.get("Authorization", "")
        )
        if request.provisioning_token is None:
            response = HttpResponse(status=401)
            response["WWW-Authenticate"] = 'Bearer realm="socialearn SCIM"'
            return response
        return None
