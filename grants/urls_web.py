"""Web pages of the grants app: sign-in, the auditor's history and the recipients."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=SignInForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("history/", views.history_search, name="history"),
    path("history/verify/", views.history_verification, name="history-verify-page"),
    path("recipients/", views.recipient_search, name="recipients"),
    path("budget-notices/", views.budget_notices, name="budget-notices"),
]
