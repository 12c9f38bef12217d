"""Tables the command line needs that are neither ledger nor projection."""

from __future__ import annotations

from django.db import models


class BaselineAgency(models.Model):
    """The plain-ORM baseline of ``tocsin bench ledger``: the same columns as an agency row,
    written with ``Model.objects.create`` one transaction at a time and emptied afterwards.
    Not a projection, so nothing here can disturb ``tocsin verify``."""

    id = models.UUIDField(primary_key=True)
    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, unique=True)
    sector = models.CharField(max_length=20)
    registered_seq = models.BigIntegerField()

    class Meta:
        db_table = "bench_baseline_agency"
