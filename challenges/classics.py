"""The three classic challenge shapes, offered as templates a designer copies and edits.

Plain data plus `ensure(Challenge, Step)`, which takes the model classes so a data migration
can call it with its historical models.
"""

from socialearn.markdown import render_markdown

DAILY_TOPICS = [
    ("Name one thing you want to get better at", "Write one sentence: what, and why now?"),
    ("Ask a colleague how they learned it", "Who is good at it? Ask them one question today."),
    ("Find a five-minute resource", "Share a link that taught you something in five minutes."),
    ("Try it for ten minutes", "Practise once. What happened?"),
    ("Teach it back", "Explain what you learned so far in three lines, as to a newcomer."),
]

WEEKLY_TOPICS = [
    ("Set your goal for the fifteen weeks", "What will you be able to do at the end?"),
    ("Map who knows what", "Name two people or communities who can help you."),
    ("Learn in the flow of work", "Pick one task this week to do in a new way."),
    ("Reflect on a mistake", "What did a recent mistake teach you?"),
    ("Share a useful practice", "Describe one practice others could copy."),
]

LEADERSHIP_TOPICS = [
    ("Your leadership story so far", "Which leader shaped you, and how?"),
    ("One-to-ones that matter", "Plan your next one-to-one around a question, not a status."),
    ("Giving feedback", "Give one piece of specific, kind feedback and note the reaction."),
    ("Delegating to grow people", "Hand over one thing you would usually keep."),
    ("Leading through change", "How will you explain the next change to your team?"),
    ("Coaching questions", "Use three open questions in a conversation this fortnight."),
]

CLASSICS = [
    {
        "title": "30-day daily challenge",
        "summary": "A small step every day for a month.",
        "description": (
            "Thirty days, one bite-sized step a day, about ten minutes each. "
            "Answer in the step's thread so everyone learns from each other."
        ),
        "cadence": "daily",
        "length_value": 30,
        "length_unit": "days",
        "steps": 30,
        "topics": DAILY_TOPICS,
        "minutes": 10,
        "every_days": 1,
    },
    {
        "title": "15-week weekly challenge",
        "summary": "One deeper activity each week for a season.",
        "description": (
            "Fifteen weeks, one activity a week of about thirty minutes. "
            "Share what you tried and what you learned."
        ),
        "cadence": "weekly",
        "length_value": 15,
        "length_unit": "weeks",
        "steps": 15,
        "topics": WEEKLY_TOPICS,
        "minutes": 30,
        "every_days": 7,
    },
    {
        "title": "6-month leadership challenge",
        "summary": "A leadership practice every fortnight for six months.",
        "description": (
            "Six months, a practice every two weeks, with a learning guide. "
            "Try each practice with your team and tell the cohort how it went."
        ),
        "cadence": "custom",
        "length_value": 6,
        "length_unit": "months",
        "steps": 13,
        "topics": LEADERSHIP_TOPICS,
        "minutes": 45,
        "every_days": 14,
    },
]


def step_rows(shape: dict) -> list[dict]:
    topics = shape["topics"]
    rows = []
    for index in range(shape["steps"]):
        title, prompt = topics[index % len(topics)]
        round_no = index // len(topics)
        rows.append(
            {
                "position": index + 1,
                "title": title if round_no == 0 else f"{title} (round {round_no + 1})",
                "prompt": prompt,
                "estimated_minutes": shape["minutes"],
                "day_offset": index * shape["every_days"],
                "allow_mark_done": index % 4 == 3,
            }
        )
    return rows


def ensure(challenge_model, step_model) -> int:
    """Create the classic templates that are missing; return how many were created."""
    created = 0
    for shape in CLASSICS:
        if challenge_model.objects.filter(is_template=True, title=shape["title"]).exists():
            continue
        challenge = challenge_model.objects.create(
            title=shape["title"],
            summary=shape["summary"],
            description=shape["description"],
            description_html=render_markdown(shape["description"]),
            cadence=shape["cadence"],
            length_value=shape["length_value"],
            length_unit=shape["length_unit"],
            is_template=True,
            status="draft",
        )
        step_model.objects.bulk_create(
            step_model(challenge=challenge, prompt_html=render_markdown(row["prompt"]), **row)
            for row in step_rows(shape)
        )
        created += 1
    return created
