from django.urls import path

from correspondence import deleting_views, urls_sending, views

app_name = "correspondence"
urlpatterns = [
    path("", views.LetterListView.as_view(), name="list"),
    path("<int:pk>/", views.LetterDetailView.as_view(), name="detail"),
    path("<int:pk>/delete/", deleting_views.letter_delete, name="delete"),
    path(
        "drafts/<int:pk>/enclosures/<int:enclosure_pk>/remove/confirm/",
        deleting_views.enclosure_remove_confirm,
        name="draft_enclosure_remove_confirm",
    ),
    path(
        "<int:letter_pk>/enclosures/<int:pk>/",
        views.enclosure_download,
        name="enclosure",
    ),
]
urlpatterns += urls_sending.urlpatterns
