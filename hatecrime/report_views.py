"""Downloads of the delivery plan. Every role may have those of the plans it may read (its
forums' and those shared with them); a signed-in user with no role is refused."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from directory.models import Organisation
from hatecrime import reports
from hatecrime.models import DeliveryPlan
from wrc import access


def lead_from_query(request) -> Organisation | None:
    """The organisation named by ``?lead=<slug>``; 404 with a clear reason if there is none."""
    slug = request.GET.get("lead", "").strip()
    if not slug:
        return None
    lead = Organisation.objects.filter(slug=slug).first()
    if lead is None:
        raise Http404(_("There is no organisation with the address “%(slug)s”.") % {"slug": slug})
    return lead


def plan_for(request, period) -> DeliveryPlan:
    """The plan if the user may read it; 404 otherwise. With its forum: the documents name it
    as their author."""
    plans = DeliveryPlan.objects.visible_to(request.user).select_related("forum")
    return get_object_or_404(plans, slug=period)


@require_GET
@access.require(access.has_any_role)
def plan_downloads(request, period):
    plan = plan_for(request, period)
    leads = Organisation.objects.filter(plan_lead_links__action__plan=plan).distinct()
    context = {
        "plan": plan,
        "lead": lead_from_query(request),
        "lead_choices": leads.order_by("name"),
        "formats": reports.FORMATS,
    }
    return render(request, "hatecrime/reports/plan_downloads.html", context)


@require_GET
@access.require(access.has_any_role)
def plan_export(request, period, fmt):
    plan = plan_for(request, period)
    if fmt not in reports.FORMATS:
        raise Http404(_("The plan cannot be downloaded in that format."))
    report = reports.export_plan(plan, fmt=fmt, lead=lead_from_query(request))
    response = HttpResponse(report.content, content_type=report.content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response
