"""Admin: reminder rules and letter addressees (administrators), letters, batches and reminders (read-only).

Every edit goes through the services, so each one is checked and recorded in
the decision history like any other act.
"""

from django.contrib import admin

from schedules.admin import SavedThroughServices
from schedules.services import may_edit_calendar_data

from django import forms
from django.core.exceptions import ValidationError

from grants.models import Recipient

from .models import Letter, LetterBatch, Reminder, ReminderRule
from .services import recipient_addressee_save, reminder_rule_delete, reminder_rule_save
from .services.addressees import addressee_problems


@admin.register(ReminderRule)
class ReminderRuleAdmin(SavedThroughServices, admin.ModelAdmin):
    may_edit = staticmethod(may_edit_calendar_data)
    list_display = ("code", "label_ja", "offset_business_days", "letter_kind", "subject_suffix_ja", "is_active")
    list_editable = ("is_active",)

    def save_service(self, actor, obj):
        reminder_rule_save(actor=actor, rule=obj)

    def delete_service(self, actor, obj):
        reminder_rule_delete(actor=actor, rule=obj)


class AddresseeForm(forms.ModelForm):
    class Meta:
        model = Recipient
        fields = ("addressee_ja",)

    def clean_addressee_ja(self):
        line = (self.cleaned_data.get("addressee_ja") or "").strip()
        problems = addressee_problems(line)
        if problems:
            raise ValidationError(problems)
        return line


@admin.register(Recipient)
class RecipientAddresseeAdmin(SavedThroughServices, admin.ModelAdmin):
    """The addressee line of each recipient's working letters (a prefecture's division head); edits are recorded."""

    may_edit = staticmethod(may_edit_calendar_data)
    form = AddresseeForm
    list_display = ("code", "name_ja", "kind", "addressee_ja")
    list_filter = ("kind", "prefecture_code")
    search_fields = ("code", "name_ja", "addressee_ja")
    readonly_fields = ("code", "name_ja", "kind", "prefecture_code")
    fields = ("code", "name_ja", "kind", "prefecture_code", "addressee_ja")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_service(self, actor, obj):
        recipient_addressee_save(actor=actor, recipient_id=obj.pk, addressee_ja=obj.addressee_ja)


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
