from django.urls import path

from exports import views

app_name = "exports"
urlpatterns = [
    # /exports/meetings/12/notes-en.docx, notes-cy.pdf, notes-both.md
    path(
        "meetings/<int:pk>/notes-<slug:language>.<slug:fmt>",
        views.meeting_notes_download,
        name="meeting_notes_download",
    ),
    path(
        "meetings/<int:pk>/notes-<slug:language>/print/",
        views.meeting_notes_print,
        name="meeting_notes_print",
    ),
]
