"""Team chat channels of a community: a Microsoft Teams or Slack channel that hears of new posts.

A community manager connects a channel by its incoming webhook (Teams: an incoming webhook or
a Workflows "post to a channel when a webhook request is received" URL; Slack: an incoming
webhook). Features announce what happened with `services.channels_announce` inside the
transaction that made it (a flow item posted, a challenge step released, a session scheduled,
a live event starting); one delivery row per item and channel, unique, makes each item reach
each channel once, and the outbox relay does the HTTP POST after commit, with retries.

The webhook URL is a secret (anyone holding it can post into the channel): it is stored
encrypted (`crypto.py`), shown back only as its host and last four characters, and never put
into a log line, an exception message or the outbox.
"""
