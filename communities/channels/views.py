from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.views.access import _community

from . import selectors, services
from .forms import ChannelForm
from .models import Channel


def _managed(request, slug: str):
    community, viewer = _community(request, slug)
    if not viewer.is_manager:
        raise PermissionDenied
    return community, viewer


@login_required
def channels(request, slug: str):
    """The community's Teams and Slack channels: connect one, see whether delivery works."""
    community, viewer = _managed(request, slug)
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channel = services.channel_connect(
                community=community,
                created_by=request.user,
                provider=data["provider"],
                name=data["name"],
                url=data["url"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("%(channel)s is connected. Send a test card to check it works.")
                % {"channel": channel.name},
            )
            return redirect("communities:channels", slug=community.slug)
    return TemplateResponse(
        request,
        "communities/channels.html",
        {
            "community": community,
            "viewer": viewer,
            "form": form,
            "channels": list(selectors.channels_of(community)),
            "deliveries": selectors.recent_deliveries(community),
        },
    )


def _channel(community, channel_id: int) -> Channel:
    return get_object_or_404(
        Channel.objects.select_related("community"), pk=channel_id, community=community
    )


@login_required
@require_POST
def channel_test(request, slug: str, channel_id: int):
    community, _viewer = _managed(request, slug)
    channel = _channel(community, channel_id)
    services.channel_test(channel=channel)
    messages.success(
        request, _("A test card is on its way to %(channel)s.") % {"channel": channel.name}
    )
    return redirect("communities:channels", slug=community.slug)


@login_required
@require_POST
def channel_disconnect(request, slug: str, channel_id: int):
    community, _viewer = _managed(request, slug)
    channel = _channel(community, channel_id)
    services.channel_disconnect(channel=channel)
    messages.success(
        request,
        _("%(channel)s is disconnected; nothing more is posted there.") % {"channel": channel.name},
    )
    return redirect("communities:channels", slug=community.slug)
