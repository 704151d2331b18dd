from .models import NudgePreference


def switched_off(person) -> frozenset[str]:
    """The rules this person switched off."""
    return frozenset(
        NudgePreference.objects.filter(person=person, enabled=False).values_list("rule", flat=True)
    )
