"""Admin: reminder rules and letter addressees (administrators), letters, batches and reminders (read-only).

Every edit goes through the services, so each one is checked and recorded in
the decision history like any other act.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grants.admin import NationalListFilter, PrefectureFilter
from grants.catalogue import routed_streams
from grants.models import Recipient
from schedules.admin import SavedThroughServices
from schedules.services import may_edit_calendar_data

from .letter_texts import addressee, formal_addressee
from .models import Letter, LetterBatch, Reminder, ReminderRule
from .services import recipient_addressee_save, reminder_rule_delete, reminder_rule_save
from .services.addressees import addressee_problems, may_edit_addressees


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
    """Only the addressee line: the code, name and kind are the national list's (``grants.local_governments``)."""

    class Meta:
        model = Recipient
        fields = ("addressee_ja",)
        widgets = {"addressee_ja": forms.TextInput(attrs={"class": "vLargeTextField"})}

    def clean_addressee_ja(self):
        line = (self.cleaned_data.get("addressee_ja") or "").strip()
        problems = addressee_problems(line)
        if problems:
            raise ValidationError(problems)
        return line


@admin.register(Recipient)
class RecipientAddresseeAdmin(SavedThroughServices, admin.ModelAdmin):
    """Recipients as letters address them; administrators edit the addressee line, each edit recorded.

    The official code, names, kind and prefecture come from the shipped national list and are shown
    read-only; so is what each kind of letter prints as its addressee, so the edit can be checked.
    """

    may_edit = staticmethod(may_edit_addressees)
    form = AddresseeForm
    list_display = ("code", "name_ja", "name_kana", "kind", "prefecture_code", "addressee_ja", "active")
    list_filter = ("kind", PrefectureFilter, NationalListFilter)
    search_fields = ("code", "name_ja", "name_kana", "addressee_ja")
    readonly_fields = (
        "code",
        "name_ja",
        "name_kana",
        "kind",
        "municipality_type",
        "prefecture_code",
        "retired_on",
        "formal_addressee_line",
        "working_addressee_line",
    )
    fieldsets = (
        (
            _("From the national list of local governments"),
            {"fields": ("code", "name_ja", "name_kana", "kind", "municipality_type", "prefecture_code", "retired_on")},
        ),
        (_("Letters"), {"fields": ("addressee_ja", "formal_addressee_line", "working_addressee_line")}),
    )

    def has_view_permission(self, request, obj=None):
        return self.may_edit(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("active"), boolean=True)
    def active(self, recipient):
        return recipient.is_active

    @staticmethod
    def _routed(recipient) -> bool:
        """Whether some stream routes this recipient's papers through its prefecture (the community support
        grant's municipalities): its letters then go via, or to, the prefecture."""
        return any(recipient.kind in kinds for kinds in routed_streams().values())

    @admin.display(description=_("formal notices go to (the head)"))
    def formal_addressee_line(self, recipient):
        line, note = formal_addressee(recipient, routed=self._routed(recipient))
        return f"{line} {note}".strip()

    @admin.display(description=_("requests and reminders go to"))
    def working_addressee_line(self, recipient):
        return addressee(recipient, routed=self._routed(recipient))

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
