from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, target: str, fallback: str) -> str:
    """`target` when it is a path on this site, else `fallback`: a `next` never leaves the site.

    A value without a leading slash is refused too, since redirect() would try it as a URL name.
    """
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
