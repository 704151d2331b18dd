"""The demo's conversations, written for each community's subject.

Each community gets its own threads: questions with an accepted answer (the first reply),
one left open, a help request, tips (one improved by a colleague, which makes a second
revision) and resources. A thread is (kind, title, body, replies, extra): `extra` is the
address of a resource, or (added text, note) for the colleague's edit of a tip.
"""

CONVERSATIONS: dict[str, list[tuple]] = {
    "Data analysts guild": [
        (
            "question",
            "How do you version your SQL queries?",
            "We keep copying queries between notebooks and nobody knows which one feeds the "
            "monthly report. How do your teams keep them in one place?",
            [
                "We moved every query that feeds a report into a git repository, one folder "
                "per dashboard, with a README saying who owns it. Reviews catch most of the "
                "surprises.",
                "dbt did it for us: models in git, tests on the columns that matter, and the "
                "docs site answers the 'which query is this' question.",
                "Whatever you choose, agree on naming first. Half our mess was three files "
                "called final_v2.sql.",
            ],
            None,
        ),
        (
            "help",
            "Quarterly revenue dashboard double counts returns",
            "Our quarterly dashboard counts a returned order twice when the refund lands in "
            "the next quarter. I have until Friday. Anyone good with window functions?",
            [
                "Partition by order id and keep the latest status with ROW_NUMBER() before "
                "you sum. Send me the query and I will pair with you this afternoon.",
                "We had the same bug: the refund table joins on order lines, not orders. "
                "Aggregate refunds per order first.",
            ],
            None,
        ),
        (
            "tip",
            "Check a join before you trust it",
            "Before any dashboard goes out I run two counts: rows before the join and rows "
            "after. If the second is bigger, the join fans out and every sum is wrong.",
            [
                "Simple and it would have saved me a week last year.",
                "We put this in our review checklist.",
            ],
            (
                "\n\nAnd keep the check in the notebook, so the next person sees it ran.",
                "Added: leave the check in the notebook",
            ),
        ),
        (
            "resource",
            "Our metric definitions, in one page",
            "Finance and analytics agreed on how we count active customers, churn and net "
            "revenue. Link it in your dashboards' footers.",
            ["Thank you, this ends a long argument in our team."],
            "https://wiki.example.com/analytics/metric-definitions",
        ),
        (
            "question",
            "Median or mean for time to resolution?",
            "Support wants one number for time to resolution. A handful of tickets stay open "
            "for months. Which do you report?",
            [
                "Median, with the 90th percentile beside it. The mean is dragged by the "
                "few stuck tickets and nobody can act on it.",
                "Agree on the median. Show the long tail as its own list so someone owns it.",
            ],
            None,
        ),
        (
            "question",
            "Anyone using Python notebooks for scheduled reports?",
            "Is running a notebook every morning a good idea, or should it become a script?",
            [],
            None,
        ),
    ],
    "Cloud and platform": [
        (
            "question",
            "How do you keep cloud costs visible to product teams?",
            "Our bill grew 30% this year and teams only see it once a quarter. What made cost "
            "part of everyday decisions for you?",
            [
                "Tag every resource with the team that owns it and send each team a weekly "
                "chart of its own spend. Seeing your own line changes behaviour fast.",
                "We added the monthly cost to each service's page in the developer portal.",
                "Budgets with alerts at 80% per team account. No blame, just an early "
                "conversation.",
            ],
            None,
        ),
        (
            "help",
            "Pods restart every night at 02:00 and we cannot see why",
            "Our order service restarts every night around 02:00 UTC. Memory looks flat in "
            "the dashboards. Could someone from platform look at it with us?",
            [
                "That is when the nightly batch job starts on the same nodes. Check the node's "
                "memory, not the pod's: the kubelet evicts under node pressure.",
                "Set requests equal to limits for the order service and it will be evicted "
                "last. Happy to join a call tomorrow morning.",
            ],
            None,
        ),
        (
            "tip",
            "Write the rollback before the rollout",
            "Before a risky change I write the exact rollback command into the change ticket. "
            "At 3 a.m. nobody should have to think.",
            ["This is now in our change template.", "+1, and rehearse it once in staging."],
            (
                "\n\nTime the rollback in staging, so you know how long the outage lasts if "
                "you need it.",
                "Added: time the rollback",
            ),
        ),
        (
            "discussion",
            "What did the last incident teach you?",
            "Post-incident reviews stay inside teams. Share one lesson from your last "
            "incident that other teams could use.",
            [
                "Our alert fired, but it went to a channel nobody watched at night. Check "
                "where your alerts land.",
                "A certificate expired. We now have a dashboard of expiry dates.",
            ],
            None,
        ),
        (
            "resource",
            "Service readiness checklist",
            "The checklist platform uses before a service takes production traffic: alerts, "
            "runbooks, backups, owners.",
            ["Used it for our launch last week; it caught a missing backup."],
            "https://wiki.example.com/platform/readiness-checklist",
        ),
    ],
    "Accessible by default": [
        (
            "question",
            "Is a placeholder enough as a form label?",
            "Design suggests dropping visible labels and keeping placeholders to save space. "
            "Is that acceptable?",
            [
                "No: the placeholder disappears as soon as people type, and screen readers "
                "do not always read it. Keep a visible label; the placeholder is an example.",
                "WCAG 3.3.2 asks for labels or instructions. Ask design for a compact label "
                "style instead.",
            ],
            None,
        ),
        (
            "tip",
            "Tab through your page before you ship it",
            "Put the mouse away and press Tab through the page. Can you see where you are? "
            "Can you reach every control, in a sensible order?",
            ["Found two traps in our checkout doing this. Five minutes well spent."],
            (
                "\n\nThen try it at 200% zoom: nothing should need sideways scrolling.",
                "Added the zoom check",
            ),
        ),
        (
            "help",
            "Screen reader users cannot finish our survey",
            "A colleague who uses a screen reader cannot submit the annual survey: the "
            "rating buttons are not announced. Who can help us fix it this week?",
            [
                "The buttons are divs with click handlers. Use radio buttons in a fieldset "
                "with a legend and they are announced for free. I can review the change.",
                "Thanks for raising it; let us test the fix together with her.",
            ],
            None,
        ),
        (
            "resource",
            "Writing alt text that helps",
            "A short guide with examples from our own product pages.",
            ["Bookmarked. The decorative image section answers a question I had."],
            "https://wiki.example.com/accessibility/alt-text",
        ),
        (
            "question",
            "How do you test colour contrast in design files?",
            "Which plugin or habit do you use to check contrast before handing over?",
            [
                "The contrast checker in our design tool's accessibility panel, on every "
                "text style, once, when the style is created.",
            ],
            None,
        ),
    ],
    "New managers circle": [
        (
            "question",
            "How do I give feedback to someone who used to be my peer?",
            "I was promoted to lead my old team. One former peer misses deadlines and I do "
            "not know how to raise it without it feeling personal.",
            [
                "Name the change openly in your first one-to-one: 'our relationship is "
                "different now, and I want us to be honest with each other'. Then talk about "
                "the specific deadlines and their effect, not about them as a person.",
                "Ask first what is getting in the way. Twice for me it was something I could "
                "fix as their manager.",
            ],
            None,
        ),
        (
            "question",
            "What do you actually do in a one-to-one?",
            "My one-to-ones turn into status updates. What structure works for you?",
            [
                "Their agenda first, mine second, status never. Status goes in the team channel.",
                "I ask the same three questions every time: what is going well, what is in "
                "your way, what can I do. It gets better after a few weeks.",
            ],
            None,
        ),
        (
            "help",
            "A team member told me they are burning out",
            "One of my team told me today they are exhausted and close to burnout. What "
            "should I do first, and who should I talk to?",
            [
                "Thank them for telling you, take work off their plate this week, and talk to "
                "your HR business partner about the support we offer. The employee "
                "assistance line is confidential.",
                "Check in again in a few days, even briefly. It matters that you follow up.",
            ],
            None,
        ),
        (
            "tip",
            "Keep a decision log",
            "Write down each team decision, the date and why. When someone asks 'why do we "
            "do it this way?' six months later, you have the answer.",
            ["Started one last month; it already settled a debate."],
            (
                "\n\nShare it with the team, not just your manager: it builds trust.",
                "Added: share it with the team",
            ),
        ),
        (
            "discussion",
            "The hardest part of your first three months?",
            "Mine was letting go of the work I used to do myself. What was yours?",
            [
                "Saying no to my own manager for the first time.",
                "Realising that a quiet team is not always a happy team.",
            ],
            None,
        ),
    ],
    "Ask HR anything": [
        (
            "question",
            "Can I carry unused holiday into next year?",
            "I have eight days left and a project that ends in January. What is the rule?",
            [
                "Up to five days carry over automatically until the end of March. For more, "
                "your manager can approve an exception in the HR system before 31 December.",
            ],
            None,
        ),
        (
            "question",
            "How does the learning budget work?",
            "Is the learning budget per person or per team, and can I use it for a conference?",
            [
                "Each person has a yearly amount; conferences count when they relate to your "
                "role or your development plan. Ask your manager, then book through the "
                "learning portal.",
                "Tip: unused budget does not carry over, so plan it in your mid-year review.",
            ],
            None,
        ),
        (
            "question",
            "Is there a policy on working from another country?",
            "I would like to work from family abroad for three weeks in the summer.",
            [
                "Up to 20 working days a year from abroad, with your manager's approval and a "
                "short form so we can check tax and insurance. Apply a month ahead.",
            ],
            None,
        ),
        (
            "tip",
            "Before your review: write three examples",
            "Note three pieces of work from this year, with the result of each. Your review "
            "goes better when you bring your own evidence.",
            ["Helpful, thank you. Is there a template?"],
            (
                "\n\nThe review template in the HR system has a section for exactly this.",
                "Pointed to the template",
            ),
        ),
        (
            "help",
            "Parental leave starts in six weeks: what do I need to sort out?",
            "My partner is due in March and I have not found a checklist. Who do I tell, and "
            "what forms are there?",
            [
                "Congratulations! Tell your manager, then submit the leave request in the HR "
                "system at least four weeks ahead. The parental leave page has the checklist "
                "and I am happy to go through it with you.",
                "Plan your handover early; I found a shared document with my team worked best.",
            ],
            None,
        ),
        (
            "question",
            "How do I refer a friend for an open role?",
            "A former colleague would be great for the open analyst role. Is there a "
            "referral process, and is there a bonus?",
            [],
            None,
        ),
    ],
    "Sales craft": [
        (
            "question",
            "How do you open a discovery call?",
            "My discovery calls feel like interrogations. How do you open so the customer "
            "does most of the talking?",
            [
                "Share what you already know about them in two sentences, then ask what made "
                "them take the call now. The 'why now' tells you more than any checklist.",
                "Agree the agenda and the time in the first minute. People open up once they "
                "know the call will end on time.",
            ],
            None,
        ),
        (
            "help",
            "Procurement wants 20% off on Friday",
            "A renewal worth a lot to us: procurement asks for 20% off by Friday or they go "
            "to tender. Can an experienced negotiator help me prepare?",
            [
                "Never give a discount without getting something back: a longer term, a case "
                "study, an earlier signature. Let us role-play it tomorrow at 10.",
                "Find out what a tender costs them in time. It is often more than the discount.",
            ],
            None,
        ),
        (
            "tip",
            "Send the recap before you leave the building",
            "After every meeting I send a three-line recap: what we heard, what we agreed, "
            "the next step with a date. Deals stall less.",
            ["Started doing this; replies come faster."],
            (
                "\n\nCopy the customer's words, not your own: they recognise their problem.",
                "Added: use the customer's words",
            ),
        ),
        (
            "discussion",
            "Your best objection handling line?",
            "Share one answer to an objection that worked for you this quarter.",
            [
                "'It's too expensive' → 'Compared with what?' Then listen.",
                "'We are happy with what we have' → 'What would have to change for you to "
                "look again?'",
            ],
            None,
        ),
        (
            "resource",
            "Demo scripts for the three main personas",
            "Updated demo scripts from the solutions team, with the questions each buyer "
            "usually asks.",
            ["The finance persona script is gold."],
            "https://wiki.example.com/sales/demo-scripts",
        ),
    ],
    "Product discovery lab": [
        (
            "question",
            "How many interviews are enough?",
            "We are testing a new onboarding idea. How many customer interviews before we "
            "trust what we hear?",
            [
                "Stop when you stop hearing anything new, often after six to eight for one "
                "kind of customer. Plan more if you have several segments.",
                "Write down what you expect to hear before you start; it shows when you are "
                "only confirming yourself.",
            ],
            None,
        ),
        (
            "tip",
            "Ask about the last time, not about the future",
            "'Would you use this?' gets polite yeses. 'Tell me about the last time you did "
            "this' gets facts.",
            ["This changed how I write interview guides."],
            (
                "\n\nFollow with 'what happened next?' until the story ends.",
                "Added a follow-up question",
            ),
        ),
        (
            "help",
            "Looking for five customers who churned last quarter",
            "We want to interview customers who left last quarter. Who in customer success "
            "can introduce us?",
            [
                "I can introduce you to two of mine; send me a short note I can forward.",
                "Check the exit survey first: there is a question about being contacted.",
            ],
            None,
        ),
        (
            "resource",
            "Opportunity solution tree template",
            "The template we used to map the onboarding problems before choosing what to build.",
            ["Using it for our next quarter's planning."],
            "https://wiki.example.com/product/opportunity-tree",
        ),
        (
            "question",
            "How do you share research so engineers read it?",
            "Our research reports are long and nobody reads them. What works?",
            [
                "Invite engineers to the interviews. One call is worth ten reports.",
                "A two-minute video of highlights in the team channel.",
            ],
            None,
        ),
    ],
    "Security champions": [
        (
            "question",
            "Should we rotate passwords every 90 days?",
            "A customer's questionnaire asks about password rotation. What is our answer?",
            [
                "No forced rotation: we follow current guidance and change passwords when "
                "there is a sign of compromise, with MFA everywhere. The security team has a "
                "standard answer for questionnaires.",
            ],
            None,
        ),
        (
            "tip",
            "Report the phishing email, then delete it",
            "Use the Report button in your mail client: it removes the same email from "
            "everyone's inbox. Deleting it protects only you.",
            ["Did not know it cleared it for everyone. Sharing with my team."],
            (
                "\n\nClicked already? Report it anyway, and tell the service desk: speed "
                "matters more than embarrassment.",
                "Added what to do after a click",
            ),
        ),
        (
            "help",
            "Secret committed to a public repository",
            "A teammate pushed an API key to a public repository an hour ago. We removed the "
            "commit. What else do we need to do?",
            [
                "Revoke and rotate the key now: removing the commit is not enough, it is "
                "already copied. Then check the provider's logs for use since the push.",
                "Open a security incident so we can help with the review. Thanks for "
                "raising it fast.",
            ],
            None,
        ),
        (
            "discussion",
            "Ideas for this year's security awareness month",
            "Last year's quiz went well. What should champions run this year?",
            [
                "A live phishing-spotting game with real (cleaned) examples.",
                "Short team sessions on locking screens and tailgating in the offices.",
            ],
            None,
        ),
    ],
    "Platform team space": [
        (
            "discussion",
            "This week: cluster upgrade to the next Kubernetes version",
            "We upgrade the staging cluster on Tuesday and production on Thursday. Teams "
            "with deprecated APIs have been told.",
            ["Our team is ready; thanks for the list of deprecated APIs."],
            None,
        ),
        (
            "question",
            "Who approves new namespaces?",
            "A team asked for a namespace in production. Is the on-call engineer allowed to "
            "create it?",
            [
                "Any platform engineer can, after checking the team has an owner and "
                "resource quotas in the request. Log it in the platform channel.",
            ],
            None,
        ),
        (
            "tip",
            "Label every alert with its runbook",
            "Every alert we own now carries a runbook link in its labels, so the page shows "
            "what to do.",
            ["Makes nights much calmer."],
            (
                "\n\nA runbook older than six months gets reviewed at the monthly ops meeting.",
                "Added the review rule",
            ),
        ),
        (
            "help",
            "Need a reviewer for the ingress controller change",
            "The change to the ingress controller's timeouts is ready. It needs a second "
            "reviewer before Thursday's window.",
            [
                "Reviewed: one comment on the retry budget, otherwise good to go.",
            ],
            None,
        ),
        (
            "resource",
            "On-call handbook",
            "How we hand over on-call, escalate and write incident notes.",
            ["Read it before my first shift: clear and short."],
            "https://wiki.example.com/platform/on-call",
        ),
    ],
    "Machine learning reading group": [
        (
            "discussion",
            "Week 3: Attention is all you need",
            "This week's paper. Bring one question and one idea of where it could help us.",
            [
                "My question: why does positional encoding use sines instead of learned "
                "positions? The paper says both worked.",
                "Idea: classify support tickets by topic to route them faster.",
            ],
            None,
        ),
        (
            "question",
            "Where can we try models on real data safely?",
            "We want to experiment with ticket data. Is there an approved environment?",
            [
                "The data platform has a sandbox with masked data; request access through the "
                "service desk, it takes a day.",
            ],
            None,
        ),
        (
            "tip",
            "Always keep a simple baseline",
            "Before any deep model, fit a logistic regression. If you cannot beat it, you "
            "have your answer.",
            ["Our baseline beat the fancy model last time."],
            (
                "\n\nReport the baseline's score beside every new model's.",
                "Added: report the baseline",
            ),
        ),
        (
            "help",
            "Stuck on the exercise: my loss does not go down",
            "My model's loss stays flat after the first epoch on this week's exercise. Has "
            "anyone seen this?",
            [
                "Check the learning rate first: try ten times smaller. If that does not help, "
                "make sure the labels are shuffled with the inputs, not separately.",
                "It was the labels for me too. Thanks!",
            ],
            None,
        ),
        (
            "resource",
            "Reading list for the next six weeks",
            "Papers and short videos for the rest of the cohort.",
            ["Thank you for adding the videos."],
            "https://wiki.example.com/ml-reading-group/reading-list",
        ),
    ],
}

# The replies nobody should see before a manager does: one community in two gets one.
HELD_REPLY = "Only an idiot would do it that way."
