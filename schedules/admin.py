"""Admin: closure days (administrators) and schedules (supervisors).

Every edit goes through the services, so each one is checked and
recorded in the decision history like any other act.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from calendars.models import ClosureDay
from calendars.templatetags.dates import fiscal_year, jdate, jdatetime

from .models import ScheduleStep, ScheduleVersion
from .services import (
    closure_day_delete,
    closure_day_save,
    may_edit_calendar_data,
    may_edit_schedules,
    schedule_step_delete,
    schedule_step_save,
    schedule_version_delete,
    schedule_version_save,
)
from .services.schedules import STEP_FIELDS


class ServiceEdits:
    """Staff may look; only those the services let edit (``may_edit``) may change anything."""

    may_edit = staticmethod(lambda user: False)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):  # listed on the admin's index for those who may view it
        return self.has_view_permission(request)

    def has_add_permission(self, request, obj=None):
        return self.may_edit(request.user)

    def has_change_permission(self, request, obj=None):
        return self.may_edit(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.may_edit(request.user)


class DaysAsDates(ServiceEdits):
    """Day fields as the browser's date input: the admin's own date widget adds a note to enter *times* in the
    server's time zone, which a day (a closure day, a schedule's window) does not have."""

    formfield_overrides = {models.DateField: {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}}


class SavedThroughServices(DaysAsDates):
    """Saves and deletes are the services' (``save_service``, ``delete_service``), so each is checked and recorded."""

    def save_service(self, actor, obj):
        raise NotImplementedError

    def delete_service(self, actor, obj):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        self.save_service(request.user, obj)

    def delete_model(self, request, obj):
        self.delete_service(request.user, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_service(request.user, obj)


@admin.register(ClosureDay)
class ClosureDayAdmin(SavedThroughServices, admin.ModelAdmin):
    may_edit = staticmethod(may_edit_calendar_data)
    list_display = ("day_shown", "reason")
    date_hierarchy = "day"
    search_fields = ("reason",)

    @admin.display(description=_("day"), ordering="day")
    def day_shown(self, closure):
        return jdate(closure.day)

    def save_service(self, actor, obj):
        closure_day_save(actor=actor, closure=obj)

    def delete_service(self, actor, obj):
        closure_day_delete(actor=actor, closure=obj)


class SupervisorsEdit(DaysAsDates):
    may_edit = staticmethod(may_edit_schedules)


class ScheduleStepInline(SupervisorsEdit, admin.TabularInline):
    model = ScheduleStep
    extra = 0
    fields = STEP_FIELDS  # what a step's edit records


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(SupervisorsEdit, SavedThroughServices, admin.ModelAdmin):
    list_display = ("key", "fiscal_year_shown", "status", "as_of_shown", "source_doc", "updated_at_shown")
    list_filter = ("fiscal_year", "status")
    inlines = [ScheduleStepInline]

    @admin.display(description=_("fiscal year"), ordering="fiscal_year")
    def fiscal_year_shown(self, version):
        return fiscal_year(version.fiscal_year)

    @admin.display(description=_("as of"), ordering="as_of")
    def as_of_shown(self, version):
        """None without a source date: the admin shows its own empty mark (a dash), not 未定 or a blank cell."""
        return jdate(version.as_of, "short") if version.as_of else None

    @admin.display(description=_("updated at"), ordering="updated_at")
    def updated_at_shown(self, version):
        return jdatetime(version.updated_at)

    def get_readonly_fields(self, request, obj=None):
        return ("key",) if obj else ()

    def save_service(self, actor, obj):
        schedule_version_save(actor=actor, version=obj)

    def delete_service(self, actor, obj):
        schedule_version_delete(actor=actor, version=obj)

    def save_formset(self, request, form, formset, change):
        steps = formset.save(commit=False)
        for step in formset.deleted_objects:
            schedule_step_delete(actor=request.user, step=step)
        for step in steps:
            schedule_step_save(actor=request.user, step=step)
