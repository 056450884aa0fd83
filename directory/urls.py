from django.urls import path

from directory import audit, forum_views, urls_accounts, urls_contacts, urls_editing, views

app_name = "directory"
urlpatterns = [
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("forums/", forum_views.ForumListView.as_view(), name="forum_list"),
    path("add/forum/", forum_views.ForumCreateView.as_view(), name="forum_add"),
    path("forums/<slug:slug>/", forum_views.ForumDetailView.as_view(), name="forum_detail"),
    path("forums/<slug:slug>/edit/", forum_views.ForumUpdateView.as_view(), name="forum_edit"),
    path(
        "forums/<slug:slug>/members/add/",
        forum_views.MembershipCreateView.as_view(),
        name="membership_add",
    ),
    path(
        "forums/<slug:slug>/members/<int:pk>/end/",
        forum_views.MembershipEndView.as_view(),
        name="membership_end",
    ),
    path("audit/", audit.AuditListView.as_view(), name="audit_list"),
]
urlpatterns += urls_editing.urlpatterns
urlpatterns += urls_accounts.urlpatterns
urlpatterns += urls_contacts.urlpatterns
