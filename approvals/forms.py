"""The decision form of the approval page."""

from django import forms

from tickets.models import JobStatus

APPROVE, DECLINE = "approve", "decline"


class DecisionForm(forms.Form):
    """A choice (approve or decline) for each pending job, an optional
    reason for the declined ones, and the customer's full name as signature.

    A job the page showed that is no longer pending (staff recorded a
    decision meanwhile, or deleted it) is an error: the customer reviews
    the page as it now stands and signs again."""

    declined_reason = forms.CharField(
        label="Reason for declining (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signed_name = forms.CharField(
        label="Your full name (signature)",
        max_length=200,
        error_messages={"required": "Type your full name to sign."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args, jobs, **kwargs):
        super().__init__(*args, **kwargs)
        self.jobs = {job.pk: job for job in jobs}
        self.pending = [job for job in jobs if job.status == JobStatus.PENDING]
        for job in self.pending:
            self.fields[self.field_name(job)] = forms.ChoiceField(
                label=job.title,
                choices=[(APPROVE, "Approve"), (DECLINE, "Decline")],
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose approve or decline for “{job.title}”."},
            )

    @staticmethod
    def field_name(job) -> str:
        return f"job_{job.pk}"

    def job_fields(self):
        """(job, its bound field) for each pending job, in the ticket's order."""
        return [(job, self[self.field_name(job)]) for job in self.pending]

    def clean(self):
        cleaned = super().clean()
        pending = {job.pk for job in self.pending}
        messages = []
        for key in self.data:
            name, _, job_id = key.partition("_")
            if name != "job" or not job_id.isdigit() or int(job_id) in pending:
                continue
            job = self.jobs.get(int(job_id))
            if job is None:
                message = "A job you saw is no longer on the estimate: review the jobs below."
            else:
                message = (
                    f"“{job.title}” is no longer waiting for your decision "
                    f"(it is {job.get_status_display().lower()}): review the jobs below."
                )
            if message not in messages:
                messages.append(message)
        for message in messages:
            self.add_error(None, message)
        return cleaned

    def decision(self) -> dict:
        """The cleaned form as ``approval_link_decide`` takes it."""
        choices = {job.pk: self.cleaned_data[self.field_name(job)] for job in self.pending}
        return {
            "approved_job_ids": [pk for pk, choice in choices.items() if choice == APPROVE],
            "declined_job_ids": [pk for pk, choice in choices.items() if choice == DECLINE],
            "declined_reason": self.cleaned_data["declined_reason"],
            "signed_name": self.cleaned_data["signed_name"],
        }
