"""Views (thin)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from welfarelab.organisations.models import Organisation


def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.filter(is_public=True).select_related("territory")[:50]
    return render(request, "organisations/organisation_list.html", {"organisations": organisations})
