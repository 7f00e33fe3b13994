"""The ticket page: status, totals, the lines and the history of a repair
order, edited the way the API edits it.

Every change made here goes through ``tickets.services`` (the same locking,
stock moves, totals and history as the API): the ticket form through
``ticket_create``/``ticket_update``, the inlines through the line services,
status changes through the list actions. Once a ticket is invoiced its lines
are shown read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect

from customers.models import Customer
from inventory.models import Part
from mechanic_shop.errors import DomainError

from . import services, workflow
from .models import (
    EDITABLE_FIELDS,
    MONEY_FIELDS,
    Authorization,
    Job,
    JobStatus,
    LaborLine,
    Payment,
    Recommendation,
    ServiceTicket,
    TicketEvent,
    TicketMechanic,
    TicketPart,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the services (the history, payments,
    authorizations, recommendations): shown, never added, changed or
    deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _editable(obj) -> bool:
    return obj is None or obj.status in workflow.EDITABLE


class LockedAfterInvoiceInline(admin.TabularInline):
    """Lines can be added, changed and deleted until the ticket is invoiced."""

    extra = 1

    def has_add_permission(self, request, obj=None):
        return _editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _editable(obj) and super().has_delete_permission(request, obj)


class TicketJobChoice:
    """For a line's inline: the job is one of this ticket's open jobs,
    optional (left empty, the line goes to the "General" job)."""

    def get_formset(self, request, obj=None, **kwargs):
        self._ticket = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "job":
            ticket = getattr(self, "_ticket", None)
            jobs = Job.objects.none()
            if ticket is not None:
                jobs = Job.objects.filter(ticket=ticket).exclude(status=JobStatus.DECLINED)
            kwargs["queryset"] = jobs.order_by("position", "id")
            kwargs["required"] = False
            kwargs["help_text"] = 'Empty: the "General" job.'
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class JobForm(forms.ModelForm):
    class Meta:
        model = Job
        fields = ("title", "position")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False  # a new job goes last
        self.fields["position"].help_text = "Empty on a new job: last."


class JobInline(LockedAfterInvoiceInline):
    """The ticket's jobs: added, renamed, moved and deleted through the job
    services; their status moves with the customer's authorizations."""

    model = Job
    form = JobForm
    extra = 0
    fields = ("title", "position", "status", "declined_reason", "subtotal")
    readonly_fields = ("status", "declined_reason", "subtotal")

    @admin.display(description="subtotal")
    def subtotal(self, obj):
        return obj.subtotal if obj.pk else "-"


class AuthorizationInline(admin.TabularInline):
    """Authorizations are append-only: shown, never added or changed here."""

    model = Authorization
    extra = 0
    fields = (
        "created_at",
        "method",
        "authorized_by",
        "signed_name",
        "approved_job_ids",
        "declined_job_ids",
        "authorized_amount",
        "declined_reason",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TicketMechanicInline(LockedAfterInvoiceInline):
    model = TicketMechanic
    autocomplete_fields = ("mechanic",)
    readonly_fields = ("assigned_at",)


class TicketPartForm(forms.ModelForm):
    class Meta:
        model = TicketPart
        fields = ("job", "part", "quantity")

    def clean(self):
        cleaned = super().clean()
        part, quantity = cleaned.get("part"), cleaned.get("quantity")
        if part is None or quantity is None or cleaned.get("DELETE"):
            return cleaned
        already = 0
        if self.instance.pk and self.instance.part_id == part.pk:
            already = self.instance.quantity
        needed = quantity - already
        if needed > 0:
            # The admin validates inside the save transaction: the lock holds
            # until the line is written, so the check stays true.
            stock = Part.objects.select_for_update().get(pk=part.pk).quantity_in_stock
            if stock < needed:
                raise forms.ValidationError(
                    {"quantity": f"Only {stock} of {part.part_number} in stock."}
                )
        return cleaned


class TicketPartInline(TicketJobChoice, LockedAfterInvoiceInline):
    model = TicketPart
    form = TicketPartForm
    autocomplete_fields = ("part",)
    fields = ("job", "part", "quantity", "unit_price", "line_total")
    readonly_fields = ("unit_price", "line_total")

    @admin.display(description="line total")
    def line_total(self, obj):
        return obj.line_total if obj.pk else "-"


class LaborLineInline(TicketJobChoice, LockedAfterInvoiceInline):
    model = LaborLine
    extra = 0
    autocomplete_fields = ("mechanic",)
    fields = ("job", "mechanic", "description", "hours", "rate", "line_total")
    readonly_fields = ("line_total",)


class PaymentInline(admin.TabularInline):
    """Payments are recorded, never edited: add-only, on invoiced tickets."""

    model = Payment
    extra = 0
    fields = ("amount", "method", "reference", "received_by", "created_at")
    readonly_fields = ("received_by", "created_at")

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.status == workflow.Status.INVOICED

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    fields = ("created_at", "action", "actor", "before", "after")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ServiceTicketForm(forms.ModelForm):
    class Meta:
        model = ServiceTicket
        fields = EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "vin" in self.fields:  # not on a locked (read-only) ticket
            self.fields["vin"].required = False
            self.fields["vin"].help_text = "Or pick the vehicle; a new VIN registers the vehicle."
        for name in ("discount_type", "discount_value"):
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        cleaned["discount_type"] = cleaned.get("discount_type") or "none"
        if cleaned.get("discount_value") is None:
            cleaned["discount_value"] = 0
        customer = cleaned.get("customer")
        if customer is not None:
            try:
                vehicle = services.ticket_vehicle_check(
                    customer=customer, vehicle=cleaned.get("vehicle"), vin=cleaned.get("vin")
                )
                probe = ServiceTicket(
                    vehicle=vehicle,
                    mileage_in=cleaned.get("mileage_in"),
                    mileage_out=cleaned.get("mileage_out"),
                )
                changed = {"mileage_in", "mileage_out"} & set(self.changed_data)
                if self.instance.pk is None or changed:
                    services.ticket_mileage_check(
                        probe, fields=changed or ("mileage_in", "mileage_out")
                    )
            except ValidationError as exc:
                errors = exc.message_dict
                raise ValidationError({k.removesuffix("_id"): v for k, v in errors.items()})
        return cleaned


def _transition_action(name: str):
    def run(modeladmin, request, queryset):
        done = 0
        for ticket in queryset.order_by("id"):
            try:
                services.ticket_transition(by=request.user, ticket=ticket, action=name)
                done += 1
            except (DomainError, ValidationError) as exc:
                modeladmin.message_user(request, f"Ticket #{ticket.pk}: {exc}", messages.ERROR)
        if done:
            modeladmin.message_user(
                request, f"{name.capitalize()}: {done} ticket(s).", messages.SUCCESS
            )

    run.__name__ = f"ticket_{name}"
    run.short_description = f"{name.capitalize()} selected tickets"
    return run


@admin.register(ServiceTicket)
class ServiceTicketAdmin(admin.ModelAdmin):
    form = ServiceTicketForm
    list_display = (
        "id",
        "vin",
        "customer",
        "status",
        "service_date",
        "total",
        "balance_due",
        "invoice_number",
    )
    # The page reads the tickets alone, through the (service_date, id)
    # index, and their customers by primary key in a second query: joined,
    # MariaDB drove the page from the customers and sorted every ticket
    # (67 s at a million tickets; 8 ms this way).
    list_select_related = ()
    search_fields = (  # as get_search_results reads them
        "vin",
        "customer__name",
        "customer__user__email",
        "service_desc",
        "=invoice_number",
    )
    search_help_text = (
        "VIN (or part of it), customer name or email, words of the description, invoice number."
    )
    list_filter = ("status", "service_date")
    # No second COUNT of the whole table beside the filtered one, and no
    # date drill-down (it reads every ticket's date for its years; the
    # service_date filter offers today, 7 days, this month and this year).
    show_full_result_count = False
    autocomplete_fields = ("customer", "vehicle")
    # Buttons opening the estimate and invoice PDFs (the documents app).
    change_form_template = "documents/admin/ticket_change_form.html"
    readonly_fields = (
        "status",
        "declined_reason",
        *MONEY_FIELDS,
        "invoice_number",
        "completed_at",
        "invoiced_at",
        "paid_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("status", "declined_reason", *EDITABLE_FIELDS)}),
        (
            "Totals",
            {
                "fields": (
                    ("parts_total", "labor_total"),
                    "discount",
                    ("parts_tax", "labor_tax", "tax"),
                    ("total", "authorized_total"),
                    ("amount_paid", "balance_due"),
                )
            },
        ),
        (
            "Invoice",
            {
                "fields": (
                    "invoice_number",
                    "completed_at",
                    "invoiced_at",
                    "paid_at",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    inlines = (
        TicketMechanicInline,
        JobInline,
        TicketPartInline,
        LaborLineInline,
        PaymentInline,
        AuthorizationInline,
        TicketEventInline,
    )
    actions = [
        _transition_action(name) for name in ("approve", "start", "complete", "invoice", "cancel")
    ]

    def get_search_results(self, request, queryset, search_term):
        """Django's search (every word must match one of the fields), read
        without joining: the customers matching a word are found first in
        their own table, then the tickets by the customer ids, VIN,
        description or invoice number. Joined to the customers and their
        logins, MariaDB drove the search from them and read every ticket of
        each (over 100 s at a million tickets)."""
        for term in search_term.split():
            customers = list(
                Customer.objects.filter(
                    Q(name__icontains=term) | Q(user__email__icontains=term)
                ).values_list("id", flat=True)
            )
            match = Q(vin__icontains=term) | Q(service_desc__icontains=term)
            if customers:
                match |= Q(customer_id__in=customers)
            if term.isdigit() and len(term) < 19:
                match |= Q(invoice_number=int(term))
            queryset = queryset.filter(match)
        return queryset, False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            queryset = queryset.prefetch_related("customer")
        return queryset

    def get_readonly_fields(self, request, obj=None):
        fields = self.readonly_fields
        if not _editable(obj):
            fields = (*fields, *EDITABLE_FIELDS)
        return fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A rule a service refuses at save time (the ticket was invoiced
        # meanwhile, a total out of range): the whole save is rolled back
        # (Django's changeform_view runs in one transaction) and the page
        # says why, instead of an error page.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data.get(f) for f in EDITABLE_FIELDS if f in form.cleaned_data}
        if not change:
            ticket = services.ticket_create(by=request.user, **data)
            obj.pk = ticket.pk
        else:
            changed = {f: data[f] for f in form.changed_data if f in data}
            if changed:  # a locked ticket's page saves its payments only
                services.ticket_update(by=request.user, ticket=obj, **changed)
        obj.refresh_from_db()

    # The fields of a line that the object's history reports as changed.
    LINE_FIELDS = {
        TicketMechanic: ("mechanic",),
        Job: ("title", "position"),
        TicketPart: ("job", "part", "quantity"),
        LaborLine: ("job", "mechanic", "description", "hours", "rate"),
        Payment: ("amount", "method", "reference"),
    }

    def save_formset(self, request, form, formset, change):
        ticket = form.instance
        savers = {
            TicketPart: self._save_part_lines,
            Job: self._save_jobs,
            TicketMechanic: self._save_assignments,
            LaborLine: self._save_labor_lines,
            Payment: self._save_payments,
        }
        saver = savers.get(formset.model)
        if saver is None:
            return super().save_formset(request, form, formset, change)
        before = self._line_rows(formset.model, ticket)
        saver(request, ticket, formset)
        self._record_saved_lines(formset, before, self._line_rows(formset.model, ticket))

    def _line_rows(self, model, ticket) -> dict:
        related = [
            name for name in self.LINE_FIELDS[model] if model._meta.get_field(name).is_relation
        ]
        rows = model.objects.filter(ticket=ticket).select_related(*related)
        return {row.pk: row for row in rows}

    def _record_saved_lines(self, formset, before: dict, after: dict) -> None:
        """Set what ``formset.save()`` would have set, had it written the
        rows rather than the services: the admin builds the object's history
        entry ("Added ticket part …", "Changed Quantity …") from these."""
        fields = [formset.model._meta.get_field(name) for name in self.LINE_FIELDS[formset.model]]

        def changed(old, new) -> list[str]:
            return [f.name for f in fields if getattr(old, f.attname) != getattr(new, f.attname)]

        formset.new_objects = [row for pk, row in after.items() if pk not in before]
        formset.deleted_objects = [row for pk, row in before.items() if pk not in after]
        formset.changed_objects = [
            (row, changed(before[pk], row))
            for pk, row in after.items()
            if pk in before and changed(before[pk], row)
        ]

    def _rows(self, formset):
        """(form, original row or None, deleted?) for every form that matters."""
        deleted = set(formset.deleted_forms)
        for row_form in formset.forms:
            original = None
            if row_form.instance.pk:
                original = formset.model.objects.get(pk=row_form.instance.pk)
            if row_form in deleted:
                if original is not None:
                    yield row_form, original, True
                continue
            if row_form.has_changed():
                yield row_form, original, False

    def _save_assignments(self, request, ticket, formset):
        add, remove = [], []
        for row_form, original, deleted in self._rows(formset):
            mechanic = row_form.cleaned_data.get("mechanic")
            if original is not None and (
                deleted or original.mechanic_id != getattr(mechanic, "pk", None)
            ):
                remove.append(original.mechanic)
            if not deleted and mechanic is not None:
                add.append(mechanic)
        if add or remove:
            services.ticket_edit_mechanics(by=request.user, ticket=ticket, add=add, remove=remove)

    def _save_jobs(self, request, ticket, formset):
        for row_form, original, deleted in self._rows(formset):
            if deleted:
                services.job_delete(by=request.user, ticket=ticket, job=original)
                continue
            title = row_form.cleaned_data.get("title")
            if original is None:
                services.job_create(by=request.user, ticket=ticket, title=title)
                continue
            changes = {
                f: row_form.cleaned_data.get(f)
                for f in ("title", "position")
                if row_form.cleaned_data.get(f) is not None
                and row_form.cleaned_data.get(f) != getattr(original, f)
            }
            if changes:
                services.job_update(by=request.user, ticket=ticket, job=original, **changes)

    def _save_part_lines(self, request, ticket, formset):
        def remove(line, quantity=None):
            services.ticket_remove_part(
                by=request.user,
                ticket=ticket,
                part=line.part,
                quantity=quantity,
                job_id=line.job_id,
            )

        for row_form, original, deleted in self._rows(formset):
            if deleted:
                remove(original)
                continue
            part = row_form.cleaned_data.get("part")
            quantity = row_form.cleaned_data.get("quantity")
            job = row_form.cleaned_data.get("job")
            if part is None or quantity is None:
                continue
            job_id = job.pk if job is not None else None
            if original is not None and (
                original.part_id != part.pk or (job_id is not None and job_id != original.job_id)
            ):
                remove(original)
                original = None
            if original is not None:
                job_id = original.job_id
            held = original.quantity if original else 0
            if quantity > held:
                services.ticket_add_part(
                    by=request.user,
                    ticket=ticket,
                    part=part,
                    quantity=quantity - held,
                    job_id=job_id,
                )
            elif quantity < held:
                remove(original, held - quantity)

    def _save_labor_lines(self, request, ticket, formset):
        for row_form, original, deleted in self._rows(formset):
            if deleted:
                services.ticket_delete_labor(by=request.user, ticket=ticket, line=original)
                continue
            data = {
                f: row_form.cleaned_data.get(f)
                for f in ("mechanic", "description", "hours", "rate")
            }
            job = row_form.cleaned_data.get("job")
            moved = original is not None and job is not None and job.pk != original.job_id
            if moved:  # a line stays on its job: taken off one, billed on the other
                services.ticket_delete_labor(by=request.user, ticket=ticket, line=original)
                original = None
            if original is None:
                job_id = job.pk if job is not None else None
                services.ticket_add_labor(by=request.user, ticket=ticket, job_id=job_id, **data)
            else:
                services.ticket_update_labor(by=request.user, ticket=ticket, line=original, **data)

    def _save_payments(self, request, ticket, formset):
        for row_form, original, deleted in self._rows(formset):
            if original is None and not deleted:
                services.ticket_record_payment(
                    by=request.user,
                    ticket=ticket,
                    amount=row_form.cleaned_data["amount"],
                    method=row_form.cleaned_data["method"],
                    reference=row_form.cleaned_data.get("reference") or "",
                )


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "ticket", "action", "actor")
    list_filter = ("action",)
    list_select_related = ("ticket", "actor")
    search_fields = ("=ticket__id", "actor__email")
    readonly_fields = ("ticket", "action", "actor", "before", "after", "created_at")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "ticket", "amount", "method", "received_by")
    list_filter = ("method",)
    list_select_related = ("ticket", "received_by")
    search_fields = ("=ticket__id", "=ticket__invoice_number", "reference")
    readonly_fields = ("ticket", "amount", "method", "reference", "received_by", "created_at")


@admin.register(Authorization)
class AuthorizationAdmin(ReadOnlyAdmin):
    """The record of who authorized what, when, how and for how much:
    read-only, never deleted."""

    list_display = ("created_at", "ticket", "method", "authorized_by", "authorized_amount")
    list_filter = ("method",)
    list_select_related = ("ticket", "authorized_by")
    search_fields = ("=ticket__id", "signed_name", "authorized_by__email")
    readonly_fields = (
        "ticket",
        "method",
        "authorized_by",
        "signed_name",
        "approved_job_ids",
        "declined_job_ids",
        "authorized_amount",
        "declined_reason",
        "note",
        "ip_address",
        "user_agent",
        "created_at",
    )


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    """Declined work kept on vehicles. Revived or dismissed through the API
    (the services copy the work and take stock); shown read-only here."""

    list_display = ("created_at", "title", "vehicle", "status", "amount", "ticket")
    list_filter = ("status",)
    list_select_related = ("vehicle", "ticket")
    search_fields = ("title", "reason", "vehicle__vin", "=ticket__id")
    search_help_text = "Title, reason, the vehicle's VIN, or the ticket number."
    readonly_fields = (
        "vehicle",
        "ticket",
        "job",
        "title",
        "reason",
        "amount",
        "parts",
        "labor",
        "status",
        "dismissed_reason",
        "revived_ticket",
        "revived_job",
        "revived_amount",
        "closed_at",
        "created_at",
    )
    exclude = ("updated_at",)
