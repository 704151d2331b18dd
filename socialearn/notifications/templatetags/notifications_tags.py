from django import template

register = template.Library()


@register.inclusion_tag("notifications/_follow_button.html", takes_context=True)
def follow_button(context, topic, followed, compact: bool = False):
    """A follow/unfollow toggle for a topic; `followed` is the viewer's set of topic ids, or
    {topic id: level} where the page offers the levels (every new post, digest only, off)."""
    from socialearn.notifications.models import TopicFollow

    return {
        "topic": topic,
        "following": topic.pk in followed,
        "level": followed.get(topic.pk, "") if isinstance(followed, dict) else "",
        "levels": TopicFollow.Level.choices,
        "compact": compact,
        "csrf_token": context.get("csrf_token"),
        "next": context["request"].get_full_path() if "request" in context else "",
    }
