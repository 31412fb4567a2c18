"""Web pages on money: the dashboard, payment runs, return claims and their repayments, fund balances."""

from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("return-claims/", views.return_claim_list, name="return-claims"),
    path("return-claims/<id:claim_id>/", views.return_claim_detail, name="return-claim-detail"),
    path("payment-runs/", views.payment_run_list, name="payment-runs"),
    path("payment-runs/new/", views.payment_run_create_page, name="payment-run-create"),
    path("fund-balances/", views.fund_balance_list, name="fund-balances"),
]
