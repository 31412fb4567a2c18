"""Admin: scope rows (administrators), saved through the services so each change is checked and recorded.

A role is a group with permissions (Django's own group admin); a user's scope is their rows here,
one stream in one of the bureau's prefectures each (``grants.access``).
"""

from django import forms
from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from .models import Recipient, RecipientKind, Scope, bureau_prefectures
from .services import scope_delete, scope_save


def prefecture_names() -> dict[str, str]:
    """The bureau's prefectures, code → name as on the national list (the code alone when not loaded)."""
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

    prefecture_code = forms.TypedChoiceField(label=_("prefecture"), choices=())

    class Meta:
        model = Scope
        fields = ("user", "stream", "prefecture_code")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prefecture_code"].choices = [
            ("", "---------"),
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
