from django import forms

from . import registry


class NudgePreferencesForm(forms.Form):
    """One on/off switch per registered rule; every rule is on until switched off."""

    def __init__(self, *args, switched_off: frozenset[str] = frozenset(), **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for rule in registry.rules():
            self.fields[rule.name] = forms.BooleanField(
                label=rule.label,
                help_text=rule.description,
                required=False,
                initial=rule.name not in switched_off,
            )

    def choices(self) -> dict[str, bool]:
        return {name: bool(self.cleaned_data.get(name)) for name in self.fields}
