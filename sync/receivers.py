from functools import partial

from . import services


def record_deletion(sender, instance, *, synced_type: str, **kwargs):
    services.tombstone_record(type=synced_type, object_id=instance.pk)


def connect():
    from django.db.models.signals import post_delete

    from customers.models import Customer
    from inventory.models import Part
    from tickets.models import ServiceTicket
    from vehicles.models import Vehicle

    from .models import SyncedType

    for model, synced_type in (
        (ServiceTicket, SyncedType.TICKET),
        (Customer, SyncedType.CUSTOMER),
        (Vehicle, SyncedType.VEHICLE),
        (Part, SyncedType.PART),
    ):
        post_delete.connect(
            partial(record_deletion, synced_type=synced_type.value),
            sender=model,
            weak=False,
            dispatch_uid=f"sync:tombstone:{model._meta.label}",
        )
