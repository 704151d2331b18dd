"""What the provider knows of each person: read from a JSON file the test writes, on every
request, so a test can change a person's directory attributes between two sign-ins."""

import json
import os

from oidc_provider.lib.claims import ScopeClaims


def _people() -> dict:
    with open(os.environ["IDP_PEOPLE"]) as f:
        return json.load(f)


def userinfo(claims: dict, user) -> dict:
    person = _people().get(user.username, {})
    for name in ("given_name", "family_name", "name", "email"):
        if name in person:
            claims[name] = person[name]
    claims["email_verified"] = True
    return claims


class OrganisationScopeClaims(ScopeClaims):
    """The directory attributes an intranet's provider sends under an extra scope."""

    info_organisation = ("Organisation", "Your job, department, office and manager.")

    def scope_organisation(self) -> dict:
        person = _people().get(self.user.username, {})
        return {k: v for k, v in person.items() if k not in ("given_name", "family_name", "name")}
