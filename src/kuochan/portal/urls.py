from django.urls import path

from kuochan.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.projects, name="projects"),
    path("tickets/", views.tickets, name="tickets"),
    path("tickets/new/", views.ticket_new, name="ticket-new"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("policies/", views.policies, name="policies"),
    path("applications/", views.applications, name="applications"),
    path("evaluation/", views.evaluation, name="evaluation"),
]
