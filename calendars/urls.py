from django.urls import path

from calendars import views

app_name = "calendars"
urlpatterns = [
    path("meetings/<int:pk>/invitation.ics", views.meeting_ics, name="meeting_ics"),
    path("meetings/<int:pk>/invitations/", views.meeting_invitations, name="meeting_invitations"),
    path("meetings/<int:pk>/invitations/send/", views.send_invitations, name="send_invitations"),
    path("mine/", views.my_calendar, name="my_calendar"),
    path("mine/new-address/", views.regenerate_link, name="regenerate_link"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
