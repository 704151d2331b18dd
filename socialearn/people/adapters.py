from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.urls import reverse


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


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return settings.SOCIALACCOUNT_ALLOW_SIGNUP
