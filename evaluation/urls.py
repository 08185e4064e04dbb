from .views import home, officials, policies, results, scorecard, surveys, templates, twoway

app_name = "evaluation"
urlpatterns = [
    *home.urlpatterns,
    *scorecard.urlpatterns,
    *officials.urlpatterns,
    *templates.urlpatterns,
    *policies.urlpatterns,
    *surveys.urlpatterns,
    *twoway.urlpatterns,
    *results.urlpatterns,
]
