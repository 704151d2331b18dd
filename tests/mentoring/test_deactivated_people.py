from mentoring.selectors import matching_pool
from socialearn.people.identity.records import person_deactivate
from tests.mentoring.conftest import MENTOR, PROTEGE


def test_a_person_who_left_is_out_of_the_matching_pool(programme, enrol, topics):
    mentor = enrol(programme, MENTOR, topics[:1], capacity=2)
    protege = enrol(programme, PROTEGE, topics[:1])
    mentors, proteges, _, _ = matching_pool(programme)
    assert ([m.pk for m in mentors], [p.pk for p in proteges]) == ([mentor.pk], [protege.pk])

    person_deactivate(mentor.user)
    person_deactivate(protege.user)

    mentors, proteges, _, _ = matching_pool(programme)
    assert (mentors, proteges) == ([], [])
