from django.urls import path

from meetings import editing_views as views

urlpatterns = [
    path("new/", views.MeetingCreateView.as_view(), name="create"),
    path("<int:pk>/edit/", views.MeetingDetailsView.as_view(), name="edit"),
    path("<int:pk>/archive/", views.MeetingArchiveView.as_view(), name="archive"),
    path("<int:pk>/restore/", views.MeetingRestoreView.as_view(), name="restore"),
    path("<int:pk>/edit/agenda/", views.AgendaView.as_view(), name="edit_agenda"),
    path("<int:pk>/edit/attendance/", views.AttendanceView.as_view(), name="edit_attendance"),
    path("<int:pk>/edit/actions/", views.ActionsView.as_view(), name="edit_actions"),
    path(
        "<int:pk>/edit/previous-actions/",
        views.PreviousActionsView.as_view(),
        name="edit_previous_actions",
    ),
]
