"""Sessions saved before follow-up codes were sealed may still hold one in plain text (a visitor
who never loaded the "sent" page): remove it. The code cannot be shown again anyway."""

from __future__ import annotations

from typing import Any

from django.db import migrations

SESSION_KEY = "tocsin-public-report"


def scrub(apps: Any, schema_editor: Any) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    session_model = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in session_model.objects.filter(session_data__isnull=False).iterator():
        data = store.decode(session.session_data)
        sent = data.get(SESSION_KEY)
        if not isinstance(sent, dict) or "code" not in sent:
            continue
        data[SESSION_KEY] = {key: value for key, value in sent.items() if key != "code"}
        session.session_data = store.encode(data)
        session.save(update_fields=["session_data"])


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0001_public_rate_counts"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
