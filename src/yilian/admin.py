"""What every admin page in Yilian shares."""

from __future__ import annotations


class ReadOnlyAdminMixin:
    """For records that change only through services that check permissions and write
    the audit trail (applications, licenses, the register): the admin looks, never edits."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
