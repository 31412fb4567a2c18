"""URL map: the web UI, the JSON API under /api/ and the admin."""

from django.contrib import admin
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularJSONAPIView

from grants import api as grants_api
from grants.api_fields import IdConverter
from workflows import api as workflows_api

register_converter(IdConverter, "id")

api_patterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("auth/token", grants_api.TokenObtainApi.as_view(), name="token"),
    path("auth/logout", grants_api.TokenRevokeApi.as_view(), name="token-revoke"),
    path("auth/logout-all", grants_api.TokenRevokeAllApi.as_view(), name="token-revoke-all"),
    path("recipients", grants_api.RecipientListApi.as_view(), name="recipients"),
    path("budget-notices", grants_api.BudgetNoticeCreateApi.as_view(), name="budget-notices"),
    path("history/verify", grants_api.HistoryVerifyApi.as_view(), name="history-verify"),
    path("history/export", grants_api.HistoryExportApi.as_view(), name="history-export"),
    path("cases", workflows_api.CaseListApi.as_view(), name="cases"),
    path("cases/<id:case_id>", workflows_api.CaseDetailApi.as_view(), name="case-detail"),
    path(
        "cases/<id:case_id>/transitions/<str:name>",
        workflows_api.CaseTransitionApi.as_view(),
        name="case-transition",
    ),
    path("", include("inquiries.urls")),
    path("", include("payments.urls")),
    path("", include("schedules.urls")),
    path("", include("letters.urls")),
]

urlpatterns = [
    path("api/", include((api_patterns, "api"))),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("grants.urls_web")),
    path("", include("inquiries.urls_web")),
    path("", include("payments.urls_web")),
    path("", include("workflows.urls_web")),
    path("", include("schedules.urls_web")),
    path("", include("letters.urls_web")),
]

handler400 = "grants.views.bad_request"
handler403 = "grants.views.forbidden"
handler404 = "grants.views.not_found"
handler500 = "grants.views.server_error"
