"""Named audiences mentoring fans out to (registered in MentoringConfig.ready())."""

from socialearn.notifications import audiences


@audiences.register("mentoring_willing_mentors")
def willing_mentors(*, topic_id: int):
    from .selectors import willing_mentor_ids

    return willing_mentor_ids(topic_id=topic_id)


@audiences.register("mentoring_volunteer_call")
def volunteer_call(**kwargs):
    from .selectors import volunteer_call_ids

    return volunteer_call_ids(**kwargs)
