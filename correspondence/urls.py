from django.urls import path

from correspondence import urls_sending, views

app_name = "correspondence"
urlpatterns = [
    path("", views.LetterListView.as_view(), name="list"),
    path("<int:pk>/", views.LetterDetailView.as_view(), name="detail"),
    path(
        "<int:letter_pk>/enclosures/<int:pk>/",
        views.enclosure_download,
        name="enclosure",
    ),
]
urlpatterns += urls_sending.urlpatterns
