from .views import budgets, expenditures, policies, splits

app_name = "funding"
urlpatterns = [
    *splits.urlpatterns,
    *budgets.urlpatterns,
    *expenditures.urlpatterns,
    *policies.urlpatterns,
]
