"""What a manager reads after a moderation step: plain words, and the step that undoes it.

The toast (templates/_toasts.html) turns the extra tags into an Undo button."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Whole sentences per kind of post: "the thread" and "the reply" differ in other languages.
DONE = {
    "approve": {"thread": _("The thread is published."), "reply": _("The reply is published.")},
    "hide": {"thread": _("The thread is hidden."), "reply": _("The reply is hidden.")},
    "restore": {
        "thread": _("The thread is visible again."),
        "reply": _("The reply is visible again."),
    },
    "lock": _("The thread is locked: nobody can reply."),
    "unlock": _("The thread is open for replies again."),
    "pin": _("The thread is pinned to the top."),
    "unpin": _("The thread is no longer pinned."),
    "dismiss": {
        "thread": _("The flags are dismissed; the thread stays as it is."),
        "reply": _("The flags are dismissed; the reply stays as it is."),
    },
}
UNDO = {
    "hide": "restore",
    "restore": "hide",
    "lock": "unlock",
    "unlock": "lock",
    "pin": "unpin",
    "unpin": "pin",
}


def moderation_done(action: str, *, thread=None, reply=None, slug: str) -> tuple[str, str]:
    """(the confirmation, the message's extra tags: "undo <action> <thread|reply> <id> <slug>"
    when the step can be taken back, else "")."""
    what = "thread" if thread is not None else "reply"
    done = DONE.get(action)
    if isinstance(done, dict):
        done = done[what]
    text = str(done) if done is not None else gettext("Done.")
    undo = UNDO.get(action)
    post = thread if thread is not None else reply
    tags = f"undo {undo} {what} {post.pk} {slug}" if undo and post is not None else ""
    return text, tags
