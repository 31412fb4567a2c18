"""Admin: closure days and reminder rules (administrators), schedules (supervisors, audited), letters (read-only).

Schedule edits go through the schedule services, so each one is checked and
recorded in the decision history like any other act.
"""

from django.contrib import admin

from .models import ClosureDay, Letter, LetterBatch, Reminder, ReminderRule, ScheduleStep, ScheduleVersion
from .services import (
    may_edit_schedules,
    schedule_step_delete,
    schedule_step_save,
    schedule_version_delete,
    schedule_version_save,
)
from .services.schedules import STEP_FIELDS


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ("day", "reason")
    date_hierarchy = "day"
    search_fields = ("reason",)


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "label_ja", "offset_business_days", "letter_kind", "subject_suffix_ja", "is_active")
    list_editable = ("is_active",)


class SupervisorsEdit:
    """Staff may look; only those the schedule services let edit may change anything."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request, obj=None):
        return may_edit_schedules(request.user)

    def has_change_permission(self, request, obj=None):
        return may_edit_schedules(request.user)

    def has_delete_permission(self, request, obj=None):
        return may_edit_schedules(request.user)


class ScheduleStepInline(SupervisorsEdit, admin.TabularInline):
    model = ScheduleStep
    extra = 0
    fields = STEP_FIELDS  # what a step's edit records


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(SupervisorsEdit, admin.ModelAdmin):
    list_display = ("key", "fiscal_year", "status", "as_of", "source_doc", "updated_at")
    list_filter = ("fiscal_year", "status")
    inlines = [ScheduleStepInline]

    def get_readonly_fields(self, request, obj=None):
        return ("key",) if obj else ()

    def save_model(self, request, obj, form, change):
        schedule_version_save(actor=request.user, version=obj)

    def delete_model(self, request, obj):
        schedule_version_delete(actor=request.user, version=obj)

    def delete_queryset(self, request, queryset):
        for version in queryset:
            schedule_version_delete(actor=request.user, version=version)

    def save_formset(self, request, form, formset, change):
        steps = formset.save(commit=False)
        for step in formset.deleted_objects:
            schedule_step_delete(actor=request.user, step=step)
        for step in steps:
            schedule_step_save(actor=request.user, step=step)


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
