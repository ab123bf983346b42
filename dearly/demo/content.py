"""The demo column's words, written for Dearly. Kept apart from the code that loads them."""

TURNED_DOWN_STEPS = [
    (
        "Give yourself a day.",
        "Disappointment is information about how much you wanted it. Let it land before you "
        "answer anyone, and do not send the email you draft at midnight.",
    ),
    (
        "Solicit feedback.",
        "Ask the hiring manager for fifteen minutes and two specifics: what the chosen person "
        "had that you did not, and what would make you the obvious choice next time.",
    ),
    (
        "Separate the decision from your worth.",
        "Selection panels weigh budgets, timing and internal politics you never see. A "
        "&ldquo;no&rdquo; to this role is not a verdict on your career.",
    ),
    (
        "Write down what you learned.",
        "Note the questions that caught you out and the examples that worked. Your next "
        "interview starts with this page, not with a blank one.",
    ),
    (
        "Close the gap you were told about.",
        "Pick one skill from the feedback and find a visible way to practise it in the next "
        "three months: a project, a course, a stretch assignment.",
    ),
    (
        "Stay in the conversation.",
        "Thank the people who interviewed you and tell them you would like to be considered "
        "again. Graceful candidates are remembered when the next opening appears.",
    ),
]

IMPOSTER_BODY = [
    "Almost everyone who is good at something has, at some point, suspected they were fooling "
    "the room. The feeling is common among people who raise their standards as fast as their "
    "skills, which is why it so often arrives right after a promotion.",
    "The trouble is not the feeling itself but what we do with it: over-preparing, refusing "
    "credit, declining the next opportunity because we are sure we will be found out.",
    "Try keeping a plain record of evidence. When a colleague thanks you, when a project ships, "
    "when you solve a problem nobody else could, write one line. On the bad days, read it.",
]

LETTERS = [
    {
        "slug": "dear-dr-mimi-poor",
        "title": "Dear Dr. Mimi – Poor",
        "pen_name": "Poor",
        "topics": ["training"],
        "tags": ["education", "negotiation", "benefits"],
        "question": [
            "I have been with my company for four years and I would like to finish the "
            "accounting degree I started before I was hired. Tuition is more than I can manage "
            "on my salary.",
            "Is it reasonable to ask my employer to pay for it, and how do I ask without "
            "sounding like I am planning to leave?",
        ],
        "answer": [
            "It is entirely reasonable. Many employers budget for education and are glad when "
            "someone asks, because training an insider is cheaper than hiring an outsider.",
            "Frame the request around the work: which tasks you could take on, which problems "
            "you could solve, and how soon. Offer a written plan with costs and a schedule "
            "that fits around your duties.",
            "Expect a question about commitment. Many firms ask you to stay a year or two after "
            "they pay; if that suits you, say so before they raise it.",
        ],
    },
    {
        "slug": "dear-dr-mimi-untrained",
        "title": "Dear Dr. Mimi – Untrained",
        "pen_name": "Untrained",
        "topics": ["training"],
        "tags": ["new job", "onboarding", "managers"],
        "question": [
            "Three weeks ago I started a job I was excited about. Nobody has shown me how "
            "anything works. My manager says &ldquo;just ask,&rdquo; then seems annoyed when I do.",
            "I am starting to feel stupid and I worry they already regret hiring me. "
            "What should I do?",
        ],
        "answer": [
            "You are not stupid; you are under-trained, and that is a fixable problem that "
            "belongs partly to your employer.",
            "Collect your questions for a day and bring them to a short, scheduled meeting "
            "instead of asking one at a time. Ask whether there is a colleague who can be your "
            "go-to person for the routine things.",
            "Write down everything you learn. In a month you will have the manual that nobody "
            "gave you, and the next new hire will be grateful.",
        ],
    },
    {
        "slug": "dear-dr-mimi-overlooked",
        "title": "Dear Dr. Mimi – Overlooked",
        "pen_name": "Overlooked",
        "topics": ["promotions"],
        "tags": ["promotion", "feedback", "managers"],
        "question": [
            "For the second year running, a colleague with less experience got the promotion I "
            "applied for. My reviews are good. I am beginning to think my manager simply does "
            "not like me.",
        ],
        "answer": [
            "Good reviews and promotions are often judged on different things. Reviews measure "
            "how well you do the job you have; promotions are decided on whether people can "
            "already picture you in the next one.",
            "Ask your manager directly what the next level looks like and what they would need "
            "to see from you. Then make that work visible, in writing, before the next round.",
        ],
    },
    {
        "slug": "dear-dr-mimi-sleepless",
        "title": "Dear Dr. Mimi – Sleepless",
        "pen_name": "Sleepless",
        "topics": ["wellbeing"],
        "tags": ["workload", "boundaries"],
        "question": [
            "My team answers messages at all hours and I feel I have to do the same. "
            "I have not had a quiet evening in months. How do I stop without looking lazy?",
        ],
        "answer": [
            "Decide your hours, tell your team, and keep to them for a month. Most people "
            "follow the norm they see; someone has to show a different one.",
            "Agree with your manager what counts as urgent and how you can be reached for it. "
            "Everything else can wait until morning, and almost everything does.",
        ],
    },
]

TOPICS = [
    ("Career", "career", None, "Job searches, promotions and changing direction."),
    ("Job search", "job-search", "career", "Applications, interviews and offers."),
    ("Promotions", "promotions", "career", "Getting the next role and handling a no."),
    ("Workplace", "workplace", None, "Colleagues, managers and how work gets done."),
    ("Training", "training", "workplace", "Learning on the job and paying for education."),
    ("Colleagues", "colleagues", "workplace", "Working well with the people around you."),
    ("Wellbeing", "wellbeing", None, "Stress, confidence and keeping work in its place."),
]

# Pieces combined into the generated letters and guides that fill the listings.
GENERATED_SUBJECTS = [
    ("a colleague who takes credit", "colleagues", ["credit", "colleagues"]),
    ("a noisy open-plan office", "workplace", ["office", "focus"]),
    ("asking for a raise", "promotions", ["salary", "negotiation"]),
    ("a long commute", "wellbeing", ["commute", "workload"]),
    ("a first interview in ten years", "job-search", ["interviews", "confidence"]),
    ("a manager who micromanages", "colleagues", ["managers", "trust"]),
    ("learning a new software system", "training", ["onboarding", "skills"]),
    ("returning after parental leave", "wellbeing", ["returning", "boundaries"]),
    ("a reference from a former boss", "job-search", ["references", "applications"]),
]
PEN_NAMES = [
    "Puzzled",
    "Worn Out",
    "Hopeful",
    "Stuck",
    "Curious",
    "Quietly Furious",
    "New Kid",
    "Second Guessing",
    "Ready to Go",
]

# (reader username, display name, comment, reply-to index or None, status)
COMMENTS = {
    "when-you-are-turned-down": [
        (
            "ana",
            "Ana R.",
            "Step two changed how I handled my last rejection. I asked for "
            "feedback and got a real answer instead of a form letter.",
            None,
            "approved",
        ),
        (
            "ben",
            "Ben",
            "Did you find people were willing to give feedback? Mine never replied.",
            0,
            "approved",
        ),
        (
            "ana",
            "Ana R.",
            "Not everyone. Asking for two specific things, as the guide says, "
            "made it easier for them to say yes.",
            1,
            "approved",
        ),
        (
            "carla",
            "Carla",
            "I wish I had read this last year. Bookmarked for next time.",
            None,
            "pending",
        ),
    ],
    "dear-dr-mimi-poor": [
        (
            "ben",
            "Ben",
            "My employer paid for half of my course after I showed how it would "
            "help our team. Worth asking!",
            None,
            "approved",
        ),
    ],
}
