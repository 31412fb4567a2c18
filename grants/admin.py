"""Admin: scope rows, accounts and roles (administrators), saved through the services so each change is
checked and recorded.

A role is a group with permissions (Django's own group admin); a user's scope is their rows here,
one stream in one of the bureau's prefectures each (``grants.access``).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.db.models import OuterRef, Subquery
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils.translation import gettext_lazy as _

from web.codes import code_label

from .models import Recipient, RecipientKind, Scope, bureau_prefectures
from .services import group_delete, group_save, scope_delete, scope_save, user_save

# The admin's frame names the product, not Django (its pages are the administrators' master data).
admin.site.site_header = _("Grant administration: master data")
admin.site.site_title = _("Grant administration")
admin.site.index_title = _("Master data")


def prefecture_names() -> dict[str, str]:
    """The bureau's prefectures, code → name as on the national list ("" when the list is not loaded)."""
    codes = bureau_prefectures()
    names = dict(
        Recipient.objects.filter(kind=RecipientKind.PREFECTURE, code__in=codes).values_list("code", "name_ja")
    )
    return {code: names.get(code, "") for code in codes}


class PrefectureFilter(admin.SimpleListFilter):
    """Filter by one of the bureau's prefectures, named."""

    title = _("prefecture")
    parameter_name = "prefecture_code"

    def lookups(self, request, model_admin):
        return [(code, f"{code} {name}".strip()) for code, name in prefecture_names().items()]

    def queryset(self, request, queryset):
        return queryset.filter(prefecture_code=self.value()) if self.value() else queryset


def group_label(group) -> str:
    """A group as the admin's lists name it: a standard role by its label in the reader's language, as the pages
    name roles (``label:"role"``), with the group's own name that code looks it up by ("担当者 (officer)"); any
    other group by its own name. The stored name stays as it is: ``grants.roles`` finds the standard roles by it."""
    label = code_label("role", group.name)
    return group.name if label is None else f"{label} ({group.name})"


class GroupListFilter(admin.RelatedFieldListFilter):
    """The users' filter by group (role), each named by ``group_label``."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or ("name",)
        return [(group.pk, group_label(group)) for group in Group.objects.order_by(*ordering)]


class NationalListFilter(admin.SimpleListFilter):
    """Recipients still on the national list, or retired by a load (``Recipient.retired_on``)."""

    title = _("on the national list")
    parameter_name = "listed"

    def lookups(self, request, model_admin):
        return [("current", _("current")), ("retired", _("retired"))]

    def queryset(self, request, queryset):
        if self.value() in ("current", "retired"):
            return queryset.filter(retired_on__isnull=self.value() == "current")
        return queryset


class ScopeForm(forms.ModelForm):
    """The prefecture is chosen from the bureau's own, by name."""

    prefecture_code = forms.ChoiceField(label=_("prefecture"), choices=())

    class Meta:
        model = Scope
        fields = ("user", "stream", "prefecture_code")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prefecture_code"].choices = [
            ("", BLANK_CHOICE_LABEL),  # as the other lists of the page
            *((code, f"{code} {name}".strip()) for code, name in prefecture_names().items()),
        ]


@admin.register(Scope)
class ScopeAdmin(admin.ModelAdmin):
    form = ScopeForm
    list_display = ("user", "stream", "prefecture")
    list_filter = ("stream", PrefectureFilter)
    search_fields = ("user__username", "user__last_name", "user__first_name")
    autocomplete_fields = ("user",)
    ordering = ("user__username", "stream", "prefecture_code")

    def get_queryset(self, request):
        named = Recipient.objects.filter(kind=RecipientKind.PREFECTURE, code=OuterRef("prefecture_code"))
        return super().get_queryset(request).annotate(prefecture_name=Subquery(named.values("name_ja")[:1]))

    @admin.display(description=_("prefecture"), ordering="prefecture_code")
    def prefecture(self, scope):
        return f"{scope.prefecture_code} {scope.prefecture_name or ''}".strip()

    def save_model(self, request, obj, form, change):
        scope_save(actor=request.user, scope=obj)

    def delete_model(self, request, obj):
        scope_delete(actor=request.user, scope=obj)

    def delete_queryset(self, request, queryset):
        for scope in queryset:
            scope_delete(actor=request.user, scope=scope)


class ScopeInline(admin.TabularInline):
    """A user's scope rows on their own page; saved through the services like the rows' own pages."""

    model = Scope
    form = ScopeForm
    fields = ("stream", "prefecture_code")
    extra = 0
    verbose_name = _("scope row")
    verbose_name_plural = _("scope (streams and prefectures this user works on)")


class UserWithScopeAdmin(UserAdmin):
    """Django's user admin with the user's scope rows, saved through the services so that what a user may
    do (flags, groups, permissions, scope rows) changes only with a history record.

    Accounts are deactivated, never deleted: the history names them.
    """

    inlines = (*UserAdmin.inlines, ScopeInline)
    list_filter = tuple(("groups", GroupListFilter) if name == "groups" else name for name in UserAdmin.list_filter)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.label_from_instance = group_label
        return field

    def save_model(self, request, obj, form, change):
        """Saved in ``save_related`` with the groups and permissions, in one service call."""

    def save_related(self, request, form, formsets, change):
        # The groups and permissions go to the service; the form saves what else it relates.
        access = {name: form.cleaned_data.pop(name) for name in ("groups", "user_permissions") if name in form.cleaned_data}
        user_save(
            actor=request.user,
            user=form.instance,
            groups=access.get("groups"),
            permissions=access.get("user_permissions"),
        )
        super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Scope:
            return super().save_formset(request, form, formset, change)
        rows = formset.save(commit=False)
        for scope in formset.deleted_objects:
            scope_delete(actor=request.user, scope=scope)
        for scope in rows:
            scope_save(actor=request.user, scope=scope)


class RecordedGroupAdmin(GroupAdmin):
    """Django's group (role) admin, saved through the services so each change of a role is recorded; the list
    names each group by ``group_label``."""

    list_display = ("role",)

    @admin.display(description=_("Role"), ordering="name")
    def role(self, group):
        return group_label(group)

    def save_model(self, request, obj, form, change):
        """Saved in ``save_related`` with the permissions, in one service call."""

    def save_related(self, request, form, formsets, change):
        permissions = form.cleaned_data.pop("permissions", None)
        group_save(actor=request.user, group=form.instance, permissions=permissions)
        super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        group_delete(actor=request.user, group=obj)

    def delete_queryset(self, request, queryset):
        for group in queryset:
            group_delete(actor=request.user, group=group)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserWithScopeAdmin)
admin.site.unregister(Group)
admin.site.register(Group, RecordedGroupAdmin)
