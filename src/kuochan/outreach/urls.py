from django.urls import path

from kuochan.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("tickets/new/", views.ticket_new, name="ticket-new"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("attachments/<int:pk>/", views.ticket_attachment_download, name="ticket-attachment"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_new, name="visit-new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("calendar/", views.visit_calendar, name="calendar"),
    path("tasks/", views.task_list, name="tasks"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_new, name="event-new"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("rules/", views.service_rules, name="rules"),
]
