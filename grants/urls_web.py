"""Web pages of the grants app: sign-in, the dashboard, the auditor's history, return claims and fund balances."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("history/", views.history_search, name="history"),
    path("history/verify/", views.history_verification, name="history-verify-page"),
    path("return-claims/", views.return_claim_list, name="return-claims"),
    path("fund-balances/", views.fund_balance_list, name="fund-balances"),
]
