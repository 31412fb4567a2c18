"""API routes for money; included under /api/ by ``config.urls``."""

from django.urls import path

from . import api

urlpatterns = [
    path("payment-runs", api.PaymentRunListApi.as_view(), name="payment-runs"),
    path("payment-runs/<id:run_id>", api.PaymentRunDetailApi.as_view(), name="payment-run-detail"),
    path(
        "payment-runs/<id:run_id>/transitions/<str:name>",
        api.PaymentRunTransitionApi.as_view(),
        name="payment-run-transition",
    ),
    path("payment-items", api.PaymentItemListApi.as_view(), name="payment-items"),
    path("return-claims", api.ReturnClaimListApi.as_view(), name="return-claims"),
    path(
        "return-claims/<id:claim_id>/payments",
        api.ReturnClaimPaymentCreateApi.as_view(),
        name="return-claim-payments",
    ),
    path("fund-balances", api.FundBalanceListApi.as_view(), name="fund-balances"),
]
