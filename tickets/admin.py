"""The ticket page edits its mechanics and part lines inline.

Inline changes go through the same services as the API, so a part line
added here takes the part from stock (and a deleted line returns it), with
the same locking.
"""

from django import forms
from django.contrib import admin

from inventory.models import Part

from . import services
from .models import ServiceTicket, TicketMechanic, TicketPart


class TicketMechanicInline(admin.TabularInline):
    model = TicketMechanic
    extra = 1
    autocomplete_fields = ("mechanic",)
    readonly_fields = ("assigned_at",)


class TicketPartForm(forms.ModelForm):
    class Meta:
        model = TicketPart
        fields = ("part", "quantity")

    def clean(self):
        cleaned = super().clean()
        part, quantity = cleaned.get("part"), cleaned.get("quantity")
        if part is None or quantity is None or self.cleaned_data.get("DELETE"):
            return cleaned
        already = 0
        if self.instance.pk and self.instance.part_id == part.pk:
            already = self.instance.quantity
        needed = quantity - already
        if needed > 0:
            # The admin form is validated inside the save transaction: the
            # lock holds until the line is written, so the check stays true.
            stock = Part.objects.select_for_update().get(pk=part.pk).quantity_in_stock
            if stock < needed:
                raise forms.ValidationError(
                    {"quantity": f"Only {stock} of {part.part_number} in stock."}
                )
        return cleaned


class TicketPartInline(admin.TabularInline):
    model = TicketPart
    form = TicketPartForm
    extra = 1
    autocomplete_fields = ("part",)
    fields = ("part", "quantity", "unit_price", "line_total")
    readonly_fields = ("unit_price", "line_total")

    @admin.display(description="line total")
    def line_total(self, obj):
        return obj.line_total if obj.pk else "-"


@admin.register(ServiceTicket)
class ServiceTicketAdmin(admin.ModelAdmin):
    list_display = ("id", "vin", "customer", "service_date", "parts_total", "created_at")
    list_select_related = ("customer",)
    search_fields = ("vin", "customer__name", "customer__user__email", "service_desc")
    list_filter = ("service_date",)
    date_hierarchy = "service_date"
    autocomplete_fields = ("customer",)
    readonly_fields = ("parts_total", "created_at", "updated_at")
    inlines = (TicketMechanicInline, TicketPartInline)

    # The fields of an inline row that the history message reports as changed.
    LINE_FIELDS = {TicketMechanic: ("mechanic",), TicketPart: ("part", "quantity")}

    def save_formset(self, request, form, formset, change):
        if formset.model not in self.LINE_FIELDS:
            return super().save_formset(request, form, formset, change)
        ticket = form.instance
        before = self._line_rows(formset.model, ticket)
        if formset.model is TicketPart:
            self._save_part_lines(ticket, formset)
        else:
            self._save_assignments(ticket, formset)
        self._record_saved_lines(formset, before, self._line_rows(formset.model, ticket))

    @staticmethod
    def _line_rows(model, ticket) -> dict:
        related = "part" if model is TicketPart else "mechanic"
        return {row.pk: row for row in model.objects.filter(ticket=ticket).select_related(related)}

    def _record_saved_lines(self, formset, before: dict, after: dict) -> None:
        """Set what ``formset.save()`` would have set: the admin builds the
        history entry of the save ("Added ticket part …") from these, and
        fails without them, since the rows were written by the services."""
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

    def _save_assignments(self, ticket, formset):
        add, remove = [], []
        deleted = set(formset.deleted_forms)
        for line_form in formset.forms:
            if not line_form.has_changed() and line_form not in deleted:
                continue
            original = line_form.instance.pk and TicketMechanic.objects.get(
                pk=line_form.instance.pk
            )
            if line_form in deleted:
                if original:
                    remove.append(original.mechanic)
                continue
            mechanic = line_form.cleaned_data.get("mechanic")
            if original and original.mechanic_id != mechanic.pk:
                remove.append(original.mechanic)
            if mechanic:
                add.append(mechanic)
        services.ticket_edit_mechanics(ticket=ticket, add=add, remove=remove)

    def _save_part_lines(self, ticket, formset):
        deleted = set(formset.deleted_forms)
        for line_form in formset.forms:
            original = line_form.instance.pk and TicketPart.objects.get(pk=line_form.instance.pk)
            if line_form in deleted:
                if original:
                    services.ticket_remove_part(ticket=ticket, part=original.part)
                continue
            if not line_form.has_changed():
                continue
            part = line_form.cleaned_data.get("part")
            quantity = line_form.cleaned_data.get("quantity")
            if part is None or quantity is None:
                continue
            if original and original.part_id != part.pk:
                services.ticket_remove_part(ticket=ticket, part=original.part)
                original = None
            held = original.quantity if original else 0
            if quantity > held:
                services.ticket_add_part(ticket=ticket, part=part, quantity=quantity - held)
            elif quantity < held:
                services.ticket_remove_part(ticket=ticket, part=part, quantity=held - quantity)
