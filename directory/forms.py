"""Forms officials and the secretariat use to keep the directory: organisations with their other
names, people with their roles. Each refuses a stale save (see wrc.editing)."""

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import (
    Forum,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationAlias,
    OwnerRole,
    Person,
    normalise_name,
)
from wrc import access
from wrc.editing import VersionedModelForm


def new_record_forums(user):
    """The forums a new meeting or letter of ``user``'s may belong to: those whose records they
    keep. A new installation has its first forum made here, as before it held several."""
    forums = access.managed_forums(user)
    if access.is_official(user) and not forums.exists():
        Forum.default()
    return forums


def limit_forum_choices(field, forums) -> None:
    """Make the "Forum" choice ``field`` offer only ``forums`` (those the user keeps the records
    of) and refuse any other with a clear message. With one forum it is chosen already, and a
    form sent without it means that one."""
    field.queryset = forums
    field.label_from_instance = lambda forum: forum.local_name
    field.error_messages = field.error_messages | {
        "required": _("Choose the forum it belongs to."),
        "invalid_choice": _(
            "You do not keep the records of that forum. Choose one of the forums listed."
        ),
    }
    first_two = list(forums[:2])
    field.only_forum = first_two[0] if len(first_two) == 1 else None
    if field.only_forum is not None:
        field.required, field.initial, field.empty_label = False, field.only_forum, None
    else:
        field.empty_label = _("Choose a forum")


def organisation_named(key: str, *, exclude_pk=None):
    """The organisation (other than ``exclude_pk``) whose name or alias normalises to ``key``."""
    found = Organisation.objects.filter(Q(normalised_name=key) | Q(aliases__normalised=key))
    return found.exclude(pk=exclude_pk).first()


class OrganisationForm(VersionedModelForm):
    other_names = forms.CharField(
        label=_("Other names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Other spellings used in notes and letters, one a line. Remove a line to remove it."
        ),
    )

    class Meta:
        model = Organisation
        fields = ["name", "short_name", "kind", "parent", "website"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Organisation.objects.for_choice(self.instance.parent_id).order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            self.fields["other_names"].initial = "\n".join(self.alias_list(self.instance))
        self.fields["parent"].queryset = parents

    @staticmethod
    def alias_list(organisation):
        return list(organisation.aliases.order_by("alias").values_list("alias", flat=True))

    def extra_snapshot(self, instance):
        return {"other_names": "\n".join(self.alias_list(instance)) if instance.pk else ""}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        other = organisation_named(normalise_name(name), exclude_pk=self.instance.pk)
        if other is not None:
            raise ValidationError(
                _("“%(name)s” is already the name or another name of %(other)s."),
                params={"name": name, "other": other.name},
            )
        return name

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        ancestor = parent
        while ancestor is not None and self.instance.pk:
            if ancestor.pk == self.instance.pk:
                raise ValidationError(
                    _("%(parent)s is one of this organisation's own teams."),
                    params={"parent": parent.name},
                )
            ancestor = ancestor.parent
        return parent

    def clean_other_names(self):
        """A list of names, one per distinct spelling; errors name the organisation that already
        uses a spelling."""
        names, keys, errors = [], set(), []
        for line in self.cleaned_data["other_names"].splitlines():
            alias = " ".join(line.split())
            key = normalise_name(alias)
            if not key or key in keys:
                continue
            other = organisation_named(key, exclude_pk=self.instance.pk)
            if other is not None:
                errors.append(
                    ValidationError(
                        _("“%(alias)s” is already the name or another name of %(other)s."),
                        params={"alias": alias, "other": other.name},
                    )
                )
            keys.add(key)
            names.append(alias)
        if errors:
            raise ValidationError(errors)
        return names

    def save_related(self, organisation):
        wanted = {
            normalise_name(alias): alias
            for alias in self.cleaned_data["other_names"]
            if normalise_name(alias) != organisation.normalised_name
        }
        organisation.aliases.exclude(normalised__in=wanted).delete()
        existing = set(organisation.aliases.values_list("normalised", flat=True))
        for key, alias in wanted.items():
            if key not in existing:
                OrganisationAlias.objects.create(organisation=organisation, alias=alias)


NOT_A_MEMBER = ""


class PersonForm(VersionedModelForm):
    membership_role = forms.ChoiceField(
        label=_("Forum membership"),
        required=False,
        choices=[(NOT_A_MEMBER, _("Not a member of the forum")), *MembershipRole.choices],
    )
    roles = forms.ModelMultipleChoiceField(
        label=_("Roles they hold"),
        required=False,
        queryset=OwnerRole.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Actions owned by a role reach the people who hold it."),
    )

    class Meta:
        model = Person
        fields = [
            "full_name",
            "honorific",
            "title_en",
            "title_cy",
            "email",
            "phone",
            "organisation",
            "is_organisation_contact",
            "preferred_language",
        ]
        widgets = {"preferred_language": forms.RadioSelect}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.forum = Forum.default()
        self.fields["organisation"].queryset = Organisation.objects.for_choice(
            self.instance.organisation_id
        ).order_by("name")
        if user is not None:
            # People are shared between forums, their memberships and roles are not: the
            # secretariat of another forum may not make anyone (themselves) a member here.
            if not access.can_manage_forum(user, self.forum):
                del self.fields["membership_role"]
            self.fields["roles"].queryset = self.fields["roles"].queryset.filter(
                access.managed_forums_q(user)
            )
        if self.instance.pk:
            if "membership_role" in self.fields:
                self.fields["membership_role"].initial = self.membership_role_of(self.instance)
            self.fields["roles"].initial = self.roles_of(self.instance)

    def membership_role_of(self, person):
        current = person.memberships.filter(forum=self.forum, left_on__isnull=True)
        return current.order_by("role").values_list("role", flat=True).first() or NOT_A_MEMBER

    @staticmethod
    def roles_of(person):
        return list(person.owner_roles.values_list("pk", flat=True))

    def extra_snapshot(self, instance):
        if not instance.pk:
            return {"membership_role": NOT_A_MEMBER, "roles": []}
        return {
            "membership_role": self.membership_role_of(instance),
            "roles": self.roles_of(instance),
        }

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_organisation_contact") and not cleaned.get("organisation"):
            self.add_error(
                "is_organisation_contact",
                _("Choose their organisation, or untick “main contact for the organisation”."),
            )
        return cleaned

    def save_related(self, person):
        # Roles the form did not offer (other forums') are kept as they are.
        offered = self.fields["roles"].queryset
        others = person.owner_roles.exclude(pk__in=offered.values("pk"))
        person.owner_roles.set([*self.cleaned_data["roles"], *others])
        if person.is_organisation_contact and person.organisation_id:
            # One main contact per organisation: marking this person unmarks the one before.
            from directory.contacts import main_contact_set

            main_contact_set(person.organisation, person)
        if "membership_role" in self.fields:
            membership_set_role(
                person=person, forum=self.forum, role=self.cleaned_data["membership_role"]
            )


def membership_set_role(*, person, forum, role):
    """Make ``role`` the person's one current membership of ``forum`` (none if blank).

    A change of role ends the old membership today and starts (or resumes) the new one, so the
    record keeps when someone was chair and when a member.
    """
    today = timezone.localdate()
    current = person.memberships.filter(forum=forum, left_on__isnull=True)
    if role and current.filter(role=role).exists():
        current.exclude(role=role).update(left_on=today)
        return
    current.update(left_on=today)
    if not role:
        return
    earlier = person.memberships.filter(forum=forum, role=role, organisation=None).first()
    if earlier is not None:
        earlier.left_on = None
        earlier.save(update_fields=["left_on"])
    else:
        Membership.objects.create(forum=forum, person=person, role=role, joined_on=today)


class OrganisationMergeForm(forms.Form):
    """Which duplicate to fold into the organisation, with the versions both had when the
    comparison was shown (a change since then refuses the merge)."""

    duplicate = forms.ModelChoiceField(
        label=_("Duplicate to merge into this organisation"),
        queryset=Organisation.objects.order_by("name"),
        help_text=_("Its links, people and other names move here; then it is deleted."),
    )
    survivor_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    duplicate_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, survivor: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.survivor = survivor
        # An archived duplicate may still be merged in: merging keeps every link it has.
        self.fields["duplicate"].queryset = Organisation.objects.exclude(pk=survivor.pk).order_by(
            "name"
        )
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
