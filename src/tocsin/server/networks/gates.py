"""Who may see the partnership's network: the analysts, and the roles that sit on the MACE
panel's perpetrator and location meetings and work the front door (MASH officers and
managers), and the partnership's scrutineers (docs/access.md, "The network view").

The network crosses agencies on purpose: organised exploitation was missed because each agency
saw only its own reports. So the view is not narrowed to the viewer's agency; instead it is
open only to these roles, and every view and export is recorded (``record.viewed``) with each
child and concern it showed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from tocsin.domain.casework import allowed, roles_for

__all__ = ["NETWORK_ROLES", "may_see_networks", "require_network_role"]

#: The roles that see the partnership's network: the access table's ``view_networks``.
NETWORK_ROLES = roles_for("view_networks")


def may_see_networks(user: object) -> bool:
    """Whether ``user`` may see the network view, its table and its exports."""
    active = bool(getattr(user, "is_active", False))
    return active and allowed(getattr(user, "role", ""), "view_networks")


def require_network_role(user: object) -> None:
    """Refuse (403) unless ``user`` may see the network."""
    if not may_see_networks(user):
        raise PermissionDenied(
            "the network view is for analysts, the front door and the partnership's scrutineers"
        )
