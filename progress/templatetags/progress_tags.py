"""The progress returns timeline on a plan action's page, and how a status or a person shows."""

from django import template
from django.utils.translation import get_language

from progress import services
from progress.models import ProgressReturn

register = template.Library()

# A colour beside the words, never instead of them.
STATUS_TAGS = {
    ProgressReturn.Status.ON_TRACK: "govuk-tag--green",
    ProgressReturn.Status.SOME_RISK: "govuk-tag--yellow",
    ProgressReturn.Status.OFF_TRACK: "govuk-tag--red",
    ProgressReturn.Status.COMPLETE: "govuk-tag--blue",
    ProgressReturn.Status.DISCONTINUED: "govuk-tag--grey",
}
STATE_TAGS = {
    ProgressReturn.State.DRAFT: "govuk-tag--grey",
    ProgressReturn.State.SUBMITTED: "govuk-tag--light-blue",
    ProgressReturn.State.CHANGES_REQUESTED: "govuk-tag--orange",
    ProgressReturn.State.ACCEPTED: "govuk-tag--green",
}


@register.filter
def status_tag(status) -> str:
    return STATUS_TAGS.get(status, "govuk-tag--grey")


@register.filter
def state_tag(state) -> str:
    return STATE_TAGS.get(state, "govuk-tag--grey")


@register.filter
def person_name(user) -> str:
    """A user as the directory names them."""
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return person.full_name if person is not None else user.get_username()


@register.inclusion_tag("progress/_timeline.html", takes_context=True)
def progress_timeline(context, action):
    """The returns of ``action`` the viewer may read, in the page's language."""
    user = context["request"].user
    language = get_language()
    entries = [
        {
            "return": progress_return,
            "narrative": progress_return.narrative_in(language),
            "narrative_lang": progress_return.narrative_language(language),
        }
        for progress_return in services.returns_shown_to(user, action)
    ]
    return {
        "action": action,
        "entries": entries,
        "is_lead": services.leads_action(user, action),
        "can_review": services.can_review(user, action.plan),
    }
