"""What a manager reads after a moderation step: plain words, and the step that undoes it.

The toast (templates/_toasts.html) turns the extra tags into an Undo button."""

DONE = {
    "approve": "The {post} is published.",
    "hide": "The {post} is hidden.",
    "restore": "The {post} is visible again.",
    "lock": "The thread is locked: nobody can reply.",
    "unlock": "The thread is open for replies again.",
    "pin": "The thread is pinned to the top.",
    "unpin": "The thread is no longer pinned.",
    "dismiss": "The flags are dismissed; the {post} stays as it is.",
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
    text = DONE.get(action, "Done.").format(post=what)
    undo = UNDO.get(action)
    post = thread if thread is not None else reply
    tags = f"undo {undo} {what} {post.pk} {slug}" if undo and post is not None else ""
    return text, tags
