from django.urls import path

from kuochan.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("mine/", views.my_policies, name="mine"),
    path("enterprise/<int:pk>/", views.enterprise_policies, name="enterprise"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("funds/", views.fund_dashboard, name="funds"),
    path("new/", views.policy_create, name="create"),
    path("new/rule-check/", views.rule_check_new, name="rule-check-new"),
    path("<slug:code>/", views.policy_detail, name="detail"),
    path("<slug:code>/edit/", views.policy_edit, name="edit"),
    path("<slug:code>/copy/", views.policy_copy, name="copy"),
    path("<slug:code>/publish/", views.policy_publish, name="publish"),
    path("<slug:code>/close/", views.policy_close, name="close"),
    path("<slug:code>/rule-check/", views.rule_check, name="rule-check"),
    path("<slug:code>/matches/", views.policy_matches, name="matches"),
    path("<slug:code>/apply/", views.apply, name="apply"),
]
