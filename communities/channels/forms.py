from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel
from .services import URL_MAX


class ChannelForm(forms.Form):
    provider = forms.ChoiceField(
        label=_("Where the channel is"),
        choices=Channel.Provider.choices,
        widget=forms.RadioSelect,
        initial=Channel.Provider.TEAMS,
    )
    name = forms.CharField(
        label=_("Channel name"),
        max_length=80,
        help_text=_("How you will recognise it here, e.g. “Data people / General”."),
    )
    url = forms.CharField(
        label=_("Webhook address"),
        max_length=URL_MAX,
        # A password input: the address is a secret, and the browser never echoes it back.
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "Teams: in the channel, choose ⋯ › Workflows › “Post to a channel when a webhook "
            "request is received” (or Connectors › Incoming Webhook) and copy the address. "
            "Slack: add an Incoming Webhook to the channel and copy its address. "
            "Anyone with the address can post to the channel: it is stored encrypted and "
            "never shown again."
        ),
    )
