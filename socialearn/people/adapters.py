import logging
from dataclasses import replace

from allauth import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.urls import reverse

from socialearn import generations

from .identity.claims import record_from_claims
from .identity.records import person_apply

logger = logging.getLogger(__name__)

# The generation of the identity providers' apps kept in the database (allauth's SocialApp,
# edited in the admin); any change to one starts a new one (social_apps_changed).
SOCIAL_APPS = "social_apps"
# The apps the sign-in buttons list, as last read by this process: (generation, site), apps.
_kept_apps: dict[tuple, list] = {}


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return settings.ACCOUNT_ALLOW_SIGNUP

    def get_login_redirect_url(self, request) -> str:
        """After the first sign-in (and after sign-up), the first-run setup; then home."""
        from .services import profile_for

        if request.user.is_authenticated and profile_for(request.user).onboarded_at is None:
            return reverse("people:welcome")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request) -> str:
        return self.get_login_redirect_url(request)


def _claims(sociallogin) -> dict:
    data = sociallogin.account.extra_data or {}
    # OpenID Connect keeps the userinfo answer and the ID token side by side; userinfo
    # usually carries more (directory attributes), the ID token fills in what it lacks.
    if "userinfo" in data or "id_token" in data:
        return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    return data


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on keeps the profile in step with the identity provider's claims: the
    first sign-in creates the person with every mapped field, each later one updates them."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return settings.SOCIALACCOUNT_ALLOW_SIGNUP

    def list_apps(self, request, provider=None, client_id=None):
        """Every app, from the database and the settings, as allauth lists them; the full
        list (the sign-in and sign-up pages' provider buttons) is kept per process and site
        under a generation, since reading it from the database was a fifth of those pages.
        A lookup of one provider's app (signing in with it) reads the database as before."""
        if provider or client_id:
            return super().list_apps(request, provider=provider, client_id=client_id)
        site = (
            get_current_site(request).pk
            if request is not None and allauth_settings.SITES_ENABLED
            else None
        )
        key = (generations.get(SOCIAL_APPS), site)
        apps = _kept_apps.get(key)
        if apps is None:
            apps = super().list_apps(request)
            _kept_apps.clear()  # only the current generation is ever read again
            _kept_apps[key] = apps
        return list(apps)

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        self._apply_claims(user, sociallogin)
        return user

    def pre_social_login(self, request, sociallogin) -> None:
        super().pre_social_login(request, sociallogin)
        if sociallogin.is_existing and sociallogin.user.is_active:
            self._apply_claims(sociallogin.user, sociallogin)

    @staticmethod
    def _apply_claims(user, sociallogin) -> None:
        record = record_from_claims(_claims(sociallogin))
        record = replace(record, email=record.email or user.email)
        try:
            person_apply(record, user=user)
        except ValidationError as error:
            # Claims we cannot use (a manager not provisioned yet, a role that started
            # before the company) must not stop the person signing in: their profile stays
            # as it was, and the next sign-in tries again.
            logger.warning(
                "Claims of person %s not applied: %s", user.pk, "; ".join(error.messages)
            )


def social_apps_changed(**kwargs) -> None:
    """An app, or the sites it serves, changed (in the admin): the sign-in pages list the apps
    afresh from now on, in every process."""
    generations.bump(SOCIAL_APPS)
