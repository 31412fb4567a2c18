"""Admin: reminder rules (administrators), letters, batches and reminders (read-only).

Every edit goes through the services, so each one is checked and recorded in
the decision history like any other act.
"""

from django.contrib import admin

from schedules.admin import SavedThroughServices
from schedules.services import may_edit_calendar_data

from .models import Letter, LetterBatch, Reminder, ReminderRule
from .services import reminder_rule_delete, reminder_rule_save


@admin.register(ReminderRule)
class ReminderRuleAdmin(SavedThroughServices, admin.ModelAdmin):
    may_edit = staticmethod(may_edit_calendar_data)
    list_display = ("code", "label_ja", "offset_business_days", "letter_kind", "subject_suffix_ja", "is_active")
    list_editable = ("is_active",)

    def save_service(self, actor, obj):
        reminder_rule_save(actor=actor, rule=obj)

    def delete_service(self, actor, obj):
        reminder_rule_delete(actor=actor, rule=obj)


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Letter)
class LetterAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("document_number", "issued_on", "kind", "recipient", "subject", "status", "batch")
    list_filter = ("kind", "status", "issued_on")
    search_fields = ("document_number", "subject", "recipient__name_ja")


@admin.register(LetterBatch)
class LetterBatchAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("title", "created_by", "created_at")


@admin.register(Reminder)
class ReminderAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("case", "rule", "deadline_effective", "due_on", "letter")
    list_filter = ("rule", "due_on")
