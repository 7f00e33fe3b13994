from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^reports/revenue/?$", views.RevenueReportView.as_view(), name="report-revenue"),
    re_path(r"^reports/mechanics/?$", views.MechanicReportView.as_view(), name="report-mechanics"),
    re_path(r"^reports/low-stock/?$", views.LowStockReportView.as_view(), name="report-low-stock"),
    re_path(
        r"^reports/declined-work/?$",
        views.DeclinedWorkReportView.as_view(),
        name="report-declined-work",
    ),
    re_path(
        r"^reports/productivity/?$",
        views.ProductivityReportView.as_view(),
        name="report-productivity",
    ),
]
