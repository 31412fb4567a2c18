"""Admin: scope rows (administrators), saved through the services so each change is checked and recorded.

A role is a group with permissions (Django's own group admin); a user's scope is their rows here.
"""

from django.contrib import admin

from .models import Scope
from .services import scope_delete, scope_save


@admin.register(Scope)
class ScopeAdmin(admin.ModelAdmin):
    list_display = ("user", "stream", "prefecture_code")
    list_filter = ("stream", "prefecture_code")
    search_fields = ("user__username",)
    autocomplete_fields = ("user",)

    def save_model(self, request, obj, form, change):
        scope_save(actor=request.user, scope=obj)

    def delete_model(self, request, obj):
        scope_delete(actor=request.user, scope=obj)

    def delete_queryset(self, request, queryset):
        for scope in queryset:
            scope_delete(actor=request.user, scope=scope)
