from django import forms

from socialearn.forms import InputLimits

from .cohorts import DEFAULT_GROUP_SIZE

MAX_ROSTER_BYTES = 1_000_000
MAX_ROSTER_TEXT = 500_000  # characters pasted: some 15,000 addresses


class CohortUploadForm(InputLimits, forms.Form):
    course_name = forms.CharField(
        label="Course name",
        max_length=90,
        help_text="Each cohort is named after the course and its main shared interest.",
    )
    group_size = forms.IntegerField(
        label="Target group size",
        min_value=2,
        max_value=200,
        initial=DEFAULT_GROUP_SIZE,
        help_text="Groups get this many people, give or take one.",
    )
    roster_file = forms.FileField(
        label="Roster (CSV file)",
        required=False,
        help_text="One email per line; a header row such as “email” is fine.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    roster_text = forms.CharField(
        label="…or paste the emails",
        required=False,
        max_length=MAX_ROSTER_TEXT,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "ana@example.com\nben@example.com"}),
    )

    def clean_roster_file(self):
        upload = self.cleaned_data.get("roster_file")
        if not upload:
            return ""
        if upload.size > MAX_ROSTER_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB; split the roster.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                "The file is not UTF-8 text; save it as “CSV UTF-8” and upload it again."
            ) from exc

    def clean(self):
        data = super().clean()
        text = data.get("roster_file") or data.get("roster_text") or ""
        if not text.strip() and not self.errors.get("roster_file"):
            raise forms.ValidationError("Upload a CSV file or paste the participants’ emails.")
        data["roster"] = text
        return data
