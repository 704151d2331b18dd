"""People data from outside: the identity provider's claims, SCIM provisioning and HR files.

All three describe a person with the same fields (`PersonRecord`) and change the database
through the same service (`records.person_apply`), so a claim, a SCIM PATCH and a CSV row
that say the same thing leave the same person behind.
"""
