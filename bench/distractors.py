"""Distractor letters and guides on the labelled sets' topics, and the WXR export that holds them.

The labelled letters (dearly/questions/data/similar_letters.json) and guides
(dearly/search/data/search_queries.json) are measured among many other posts about the same
things: pay, promotion, managers, colleagues, interviews, job hunting, remote work, burnout,
resigning, training, discrimination, redundancy, freelancing, changing career, references.

A distractor is built from hand-written sentence templates, one topic per letter, with slots
(role, industry, town, people, durations, sums, feelings, details) filled from word lists.
Templates and slot values are drawn with Zipf-like weights (the k-th entry of a list about 1/k
as often as the first), so a few words are in most posts and most words in few: search then
meets common and rare words as it would on a real column. Distractors are topically close to
the labelled letters but are not paraphrases of them. Generation is seeded: the same N and
seed give the same export, byte for byte.

    .venv/bin/python bench/distractors.py export.xml [--distractors 3000] [--seed 11]
"""

import argparse
import datetime
import itertools
import json
import random
import re
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
LETTERS = ROOT / "dearly" / "questions" / "data" / "similar_letters.json"
SEARCH = ROOT / "dearly" / "search" / "data" / "search_queries.json"
SITE = "https://bench.example"
COLUMNIST = "Dr. Mimi"
GUIDE_EVERY = 10  # one distractor in ten is a guide, the rest letters

# --- slot values, most common first --------------------------------------------------------

SLOTS = {
    "role": (
        "administrator|nurse|software developer|warehouse supervisor|teacher|accountant|"
        "receptionist|sales assistant|project manager|care worker|graphic designer|chef|"
        "paralegal|data analyst|pharmacist|electrician|civil servant|lab technician|"
        "customer service adviser|marketing executive|bus driver|dental hygienist|librarian|"
        "quantity surveyor|HR adviser|social worker|barista|architect|copywriter|estate agent|"
        "physiotherapist|store manager|recruitment consultant|events coordinator|translator|"
        "mechanic|veterinary nurse|buyer|web producer|research assistant|payroll officer|"
        "hotel night manager|production planner|florist|call centre team leader|archivist|"
        "sound engineer|tax adviser|school business manager|fundraiser|gardener|midwife|"
        "structural engineer|claims handler|pastry chef|museum curator|court clerk|optician|"
        "logistics coordinator|youth worker|actuary|locksmith|speech therapist|sommelier"
    ),
    "industry": (
        "a large bank|a small charity|a hospital|a software startup|a supermarket chain|"
        "the council|a law firm|a logistics company|a university|a family-run hotel|"
        "an engineering consultancy|a call centre|a publishing house|a care home|"
        "a building society|a theatre|a car dealership|an advertising agency|a garden centre|"
        "a housing association|a pharmaceutical company|a brewery|a regional airport|"
        "a recycling plant|a primary school|a fashion retailer|a dental practice|"
        "a removals firm|an energy supplier|a veterinary surgery|a print works|a gym chain|"
        "a museum|a football club|a wholesale bakery|an estate agency|a games studio|"
        "a water utility|a ferry operator|a translation agency|a biscuit factory"
    ),
    "years": (
        "three years|two years|five years|eighteen months|ten years|a year|seven years|"
        "four years|six months|twelve years|nine months|fifteen years|twenty years|"
        "eight years|eleven years|thirty years"
    ),
    "town": (
        "Leeds|Bristol|Glasgow|Cardiff|Norwich|Belfast|York|Plymouth|Leicester|Dundee|Bath|"
        "Preston|Swansea|Exeter|Hull|Derby|Aberdeen|Lincoln|Carlisle|Ipswich|Reading|Wigan|"
        "Truro|Stirling|Durham|Luton|Bangor|Margate|Kendal|Hereford|Whitby|Oban|Crewe|Ely"
    ),
    "boss": (
        "my manager|my line manager|my team leader|the head of department|the owner|"
        "my supervisor|the regional director|the managing director|the office manager|"
        "the new chief executive|the practice manager|the head teacher|my shift manager|"
        "the partner I report to|the operations director|the store manager|the head chef"
    ),
    "peer": (
        "a colleague|a coworker|the woman at the next desk|a man in my team|the new graduate|"
        "an older colleague|my deskmate|a senior colleague|another supervisor|the deputy|"
        "a contractor|the other receptionist|a friend from training|a temp|the night porter|"
        "a colleague from the Dublin office|the apprentice"
    ),
    "amount": (
        "two thousand pounds|ten per cent|five thousand|a few hundred pounds|"
        "fifteen per cent|three thousand a year|half my salary|a month's pay|"
        "twelve thousand|a thousand pounds|seven per cent|eight hundred pounds"
    ),
    "feeling": (
        "anxious|exhausted|stuck|resentful|embarrassed|angry|lost|demoralised|overlooked|"
        "trapped|guilty|ashamed|furious|hopeless|restless|numb|bitter|jittery|crushed|"
        "bewildered|fed up|unsettled|wretched|panicky"
    ),
    "month": (
        "January|September|April|March|June|October|May|November|February|July|August|December"
    ),
    "family": (
        "my partner|my husband|my wife|my mother|my two children|my father|my flatmate|"
        "my sister|my teenage daughter|my elderly aunt|my toddler|my stepson|my grandmother"
    ),
    "hobby": (
        "running|painting|choir|football coaching|pottery|allotment gardening|chess|"
        "volunteering at a food bank|amateur dramatics|cycling|birdwatching|rock climbing|"
        "baking bread|learning Spanish|wild swimming|bell ringing|woodwork|rowing|"
        "playing the cello|beekeeping|orienteering|calligraphy"
    ),
    "tool": (
        "the new rota system|a spreadsheet|the booking software|the ticketing tool|"
        "the stock database|a shared calendar|the customer portal|the expenses app|"
        "the case management system|a timesheet|the intranet|the order tracker|"
        "the telephony dashboard|a kanban board"
    ),
}
SLOT_VALUES = {name: values.split("|") for name, values in SLOTS.items()}

# --- sentence templates by topic -------------------------------------------------------------
# Each topic: situations (the opening), details (the middle), asks (the question at the end),
# answers (the columnist's reply).

TOPICS = {
    "pay": {
        "situations": [
            "I have been a {role} at {industry} for {years} and my pay has not moved once.",
            "Every spring {boss} promises a salary review and every spring it is postponed.",
            "I found out that people doing my job at {industry} in {town} earn {amount} more.",
            "My wages have fallen behind the cost of living and I dread opening my bank app.",
            "I asked for a raise in {month} and was told to wait for the annual round.",
        ],
        "details": [
            "I have taken on extra duties since {peer} left and nobody has mentioned money.",
            "The company posted record profits and the directors had bonuses.",
            "I cover weekends for no extra money because the rota would collapse otherwise.",
            "My contract says pay is reviewed yearly but does not say it must rise.",
            "I feel {feeling} every time the payslip arrives.",
        ],
        "asks": [
            "How do I ask for more without sounding greedy?",
            "Is it reasonable to ask for {amount}, or will I be laughed at?",
            "Should I quote the market rate or just my own results?",
            "When is the right moment to bring up money?",
        ],
        "answers": [
            "Put a number on the table, with the evidence beside it, and ask for a date.",
            "Market data and a list of what you now do are stronger than loyalty.",
            "If the answer is always later, later is your answer; look around quietly.",
        ],
    },
    "promotion": {
        "situations": [
            "I have applied three times for a senior {role} post and been turned down each time.",
            "{boss} keeps saying I am ready for the next step, but the step never comes.",
            "A post above mine opened in {month} and it went to someone from outside.",
            "After {years} as a {role} I still have the same title I started with.",
        ],
        "details": [
            "The feedback was vague: something about visibility and gravitas.",
            "I already do most of the senior work when the team leader is on leave.",
            "The person who got it is friendly with the director and plays golf with him.",
            "I have a development plan but nobody has looked at it since it was written.",
            "I am starting to feel {feeling} and it shows in meetings.",
        ],
        "asks": [
            "What am I doing wrong?",
            "Do I keep trying or look elsewhere?",
            "How do I make people see me as a leader?",
            "Is it worth asking for a mentor from another department?",
        ],
        "answers": [
            "Ask for the criteria in writing and evidence against each one.",
            "Take on something visible that nobody else wants and finish it well.",
            "Three refusals with no clear reason usually mean the ceiling is here, not in you.",
        ],
    },
    "manager": {
        "situations": [
            "{boss} changes my priorities every morning and then asks why nothing is finished.",
            "My new boss rewrites every document I send and copies in half the company.",
            "{boss} is brilliant with clients and impossible with staff.",
            "Since the restructure I report to someone who never replies to emails.",
            "{boss} criticises me in front of the team but praises me in private.",
        ],
        "details": [
            "Last week I found out about a deadline from a client, not from my manager.",
            "Other people on the team have noticed and say nothing.",
            "I have started checking my inbox at midnight in case something has changed.",
            "HR is one person part-time and is friends with the boss.",
            "I used to enjoy this job and now I feel {feeling} on Sunday evenings.",
        ],
        "asks": [
            "How do I manage upwards without making things worse?",
            "Should I raise this with HR or talk to my boss first?",
            "Can a relationship like this be fixed?",
            "How do I protect myself if this goes wrong?",
        ],
        "answers": [
            "Ask for ten minutes a week and agree the priorities in writing each time.",
            "Keep notes with dates; patterns persuade HR, single incidents rarely do.",
            "Talk to your boss first, once, calmly, about one specific thing.",
        ],
    },
    "colleague": {
        "situations": [
            "{peer} takes long lunches and leaves me to answer the phones.",
            "I share an office with {peer}, who talks about politics all day.",
            "{peer} and I disagreed in a meeting and now she ignores me completely.",
            "{peer} borrows money from everyone in the team and rarely pays it back.",
            "There is a clique in our team and I am on the outside of it.",
        ],
        "details": [
            "I have tried being friendly, bringing in cakes, asking about weekends.",
            "Our manager says we are adults and should sort it out ourselves.",
            "The atmosphere is affecting my work and I dread the morning bus.",
            "When I mentioned it once, people laughed and called me sensitive.",
            "I have been here {years} and never had a problem with anyone before.",
        ],
        "asks": [
            "Should I say something directly?",
            "How do I get on with someone I do not like?",
            "Is this worth a formal complaint?",
            "How do I stop it getting to me?",
        ],
        "answers": [
            "Say it once, privately and plainly, then judge by what happens next.",
            "You do not have to like a colleague, only to work well beside them.",
            "Move the conversation from feelings to tasks; it is easier to agree on tasks.",
        ],
    },
    "interview": {
        "situations": [
            "I have an interview for a {role} job at {industry} next week.",
            "I reached the final round for a post in {town} and then heard nothing.",
            "The interview panel asked me about my weaknesses and I said something foolish.",
            "A recruiter wants me to do a two-day unpaid task as part of the selection.",
            "I was asked to give a presentation at the interview with one day's notice.",
        ],
        "details": [
            "I have not been interviewed for {years} and the format has changed.",
            "They asked for my current salary on the application form.",
            "I get a dry mouth and my hands shake when I have to talk about myself.",
            "The job advert asked for skills I only half have.",
            "The last company kept me waiting six weeks for a decision.",
        ],
        "asks": [
            "How should I prepare?",
            "Is it acceptable to chase them for an answer?",
            "What should I wear for a video interview?",
            "Should I refuse the unpaid task?",
        ],
        "answers": [
            "Prepare stories, not answers: a few real examples fit most questions.",
            "One polite follow-up after a week is normal; two is enough.",
            "A short task is fair; two days of free work is consultancy, not selection.",
        ],
    },
    "job_search": {
        "situations": [
            "I have been looking for work as a {role} since {month} without a single offer.",
            "I moved to {town} for my partner and there seem to be no jobs in my field.",
            "Online applications ask the same questions and then vanish.",
            "At fifty I am applying for jobs for the first time in {years}.",
        ],
        "details": [
            "I rewrite my CV for each post and still hear nothing.",
            "Agencies call, get excited, and then never ring back.",
            "Our savings will last about three more months.",
            "Friends tell me to network, but I do not know what that means in practice.",
            "I feel {feeling} and I am losing confidence by the week.",
        ],
        "asks": [
            "What am I doing wrong?",
            "Should I take anything, even a job below my level?",
            "How do I keep going?",
        ],
        "answers": [
            "Fewer applications, better aimed, and more conversations with real people.",
            "A bridge job is not a step back if it buys you time and sanity.",
            "Ask one trusted person to read your CV as a stranger would.",
        ],
    },
    "remote": {
        "situations": [
            "Our team has worked from home for {years} and now {boss} wants us back.",
            "I work remotely for {industry} and I have not met most of my colleagues.",
            "My employer installed software that tracks my mouse and takes screenshots.",
            "I asked to work from home two days a week and the request was refused.",
            "I moved to {town} while we were remote and the office is now far away.",
        ],
        "details": [
            "My kitchen table is my desk and {family} is home all day too.",
            "Promotions seem to go to the people who sit near the director.",
            "The train fare would cost me {amount} a year.",
            "I get more done at home and my figures prove it.",
            "I feel {feeling} after days without talking to anyone.",
        ],
        "asks": [
            "Can they make us come back?",
            "How do I make the case for a hybrid arrangement?",
            "How do I stay visible when nobody sees me?",
        ],
        "answers": [
            "Make a formal request with a pattern and a trial; informal asks are easy to refuse.",
            "Visibility is a habit: short written updates, and your camera on when it counts.",
            "Lonely is a working condition too; book a coworking day or a walk with a colleague.",
        ],
    },
    "burnout": {
        "situations": [
            "I work as a {role} and I have not had a proper holiday in {years}.",
            "Every night I lie awake rehearsing tomorrow's meetings.",
            "I used to love my job at {industry} and now I cannot face opening my laptop.",
            "My doctor says my blood pressure is too high and asked about stress at work.",
        ],
        "details": [
            "I snap at {family} over nothing and then feel terrible.",
            "Everyone in the team is stretched; I do not want to be the weak one.",
            "I have stopped {hobby}, which used to be the best part of my week.",
            "Weekends are spent recovering rather than living.",
            "I feel {feeling} most mornings before I even get up.",
        ],
        "asks": [
            "How do I say I cannot take on any more?",
            "Is it time to take sick leave?",
            "How do I find my way back to liking work?",
        ],
        "answers": [
            "Tell your manager what you will drop, not just that you are tired.",
            "Burnout is a health matter: see your doctor and take the time they suggest.",
            "Put one thing you enjoy back in the week and defend it like a meeting.",
        ],
    },
    "resignation": {
        "situations": [
            "I have accepted a job in {town} and need to hand in my notice.",
            "After {years} at {industry} I want to leave but I am scared of the conversation.",
            "My contract says three months' notice and the new employer wants me in four weeks.",
            "I resigned in {month} and my manager has stopped speaking to me.",
        ],
        "details": [
            "{boss} has always been kind to me and I feel like a traitor.",
            "They will probably ask me to stay and offer more money.",
            "I am worried about my reference if I leave on bad terms.",
            "Half my holiday is still untaken.",
        ],
        "asks": [
            "How do I resign gracefully?",
            "Can I negotiate a shorter notice period?",
            "Should I tell them why I am really leaving?",
        ],
        "answers": [
            "Tell your manager first, in person, then put it in a brief, warm letter.",
            "Notice periods are often shortened by agreement; offer a thorough handover.",
            "An exit interview is not the place for every grievance; pick one useful point.",
        ],
    },
    "training": {
        "situations": [
            "I want to study for a professional qualification alongside my job as a {role}.",
            "{boss} promised me training when I joined and it has never happened.",
            "My employer will pay for a course only if I sign a clawback agreement.",
            "I would like to do a part-time degree but the tuition fees are {amount}.",
            "Everyone else on the team has been sent on a course except me.",
        ],
        "details": [
            "The learning budget seems to go to the same three people every year.",
            "Classes would be two evenings a week for {years}.",
            "I learn quickly on the job but have no certificates to prove it.",
            "I feel {feeling} about being left behind as the technology changes.",
        ],
        "asks": [
            "How do I persuade them to pay?",
            "Is a clawback clause fair?",
            "Is it worth funding it myself?",
        ],
        "answers": [
            "Tie the course to a problem your employer has this year, in one page.",
            "A repayment clause that tapers over a year or two is normal; a flat one is not.",
            "If they will not pay, ask for study leave instead; time is often easier to give.",
        ],
    },
    "fairness": {
        "situations": [
            "{boss} makes jokes about my accent in team meetings.",
            "Since I came back from leave I have been given only the dullest work.",
            "I am the only woman among twelve engineers and I am always asked to take notes.",
            "I use a wheelchair and the office lift has been broken for {years}.",
            "A senior colleague keeps touching my shoulder and standing too close.",
        ],
        "details": [
            "When I raised it informally I was told it was banter.",
            "Others have noticed but nobody wants to be the one to complain.",
            "I keep a diary of what happens and when.",
            "I am afraid of being labelled difficult in a small industry.",
            "It leaves me {feeling} for the rest of the day.",
        ],
        "asks": [
            "Is this discrimination?",
            "How do I make a formal complaint?",
            "What are my rights?",
        ],
        "answers": [
            "Write down what happened and when, then put your complaint in writing to HR.",
            "A union or an employment adviser can tell you quickly where you stand.",
            "Banter that one side does not enjoy is not banter.",
        ],
    },
    "redundancy": {
        "situations": [
            "{industry} has announced a consultation and my job is one of those at risk.",
            "I survived the last round of cuts and now do the work of two people.",
            "I was made redundant in {month} after {years} and do not know what comes next.",
            "We have been told to reapply for our own jobs in a new structure.",
        ],
        "details": [
            "The selection criteria seem designed to keep the boss's favourites.",
            "The settlement offer is {amount}, which seems low.",
            "Morale is terrible and people are leaving before they are pushed.",
            "I feel {feeling} and cannot concentrate on anything.",
        ],
        "asks": [
            "Can I challenge the selection?",
            "Should I take voluntary redundancy?",
            "How do I cope with the uncertainty?",
        ],
        "answers": [
            "Ask to see the scoring for your role and check it against the criteria.",
            "Get independent advice on any settlement before signing; it is often paid for.",
            "Plan as if you will leave and hope you stay; it steadies the nerves.",
        ],
    },
    "freelance": {
        "situations": [
            "I went freelance as a {role} {years} ago and one client now owes me {amount}.",
            "A client keeps adding work to a fixed-price job.",
            "I want to leave my salaried job to go self-employed.",
            "An agency wants me as a contractor but to work fixed hours like staff.",
        ],
        "details": [
            "We agreed everything by phone and I have only a few emails.",
            "My income swings wildly from month to month.",
            "I have no pension and no sick pay.",
            "Friends think I am lucky to be my own boss, but I feel {feeling}.",
        ],
        "asks": [
            "How do I get paid without going to court?",
            "How do I say no to scope creep?",
            "Is the security of a salary worth more than freedom?",
        ],
        "answers": [
            "Send a final written demand with a date; small claims courts are cheap.",
            "Write a short statement of work for every job, however friendly the client.",
            "Save six months of costs before you jump, not after.",
        ],
    },
    "career_change": {
        "situations": [
            "After {years} as a {role} I want to retrain completely.",
            "I dream of turning {hobby} into a living but it pays nothing yet.",
            "I am forty-five and want to become a {role}.",
            "I chose my degree to please my parents and have regretted it ever since.",
        ],
        "details": [
            "{family} depends on my income and is nervous about the change.",
            "I would have to start again at the bottom on much lower pay.",
            "I have started an evening class and it is the best part of my week.",
            "I feel {feeling} every time I think about another twenty years of this.",
        ],
        "asks": [
            "Is it too late to change?",
            "How do I test a new career before I leap?",
            "How do I explain the switch to employers?",
        ],
        "answers": [
            "Try the new work in small doses first: volunteering, shadowing, a short course.",
            "Transferable skills are real; name three and show them in action.",
            "It is rarely too late, but it is often more expensive than people expect.",
        ],
    },
    "references": {
        "situations": [
            "My old employer has gone bust and I have no one to give me a reference.",
            "{boss} at my last job and I fell out badly, and now I need a reference.",
            "A new employer withdrew an offer after speaking to my previous manager.",
            "I have been asked to provide three referees and can think of only one.",
        ],
        "details": [
            "I left {industry} after {years} under a cloud that was not my fault.",
            "My last manager has left the company and I cannot find her.",
            "I am worried about what might be said off the record.",
        ],
        "asks": [
            "Who can I ask instead?",
            "Can a reference be unfair?",
            "What do I do now?",
        ],
        "answers": [
            "A colleague, a client or a former manager elsewhere can speak for you.",
            "References must be accurate; ask to see what was written.",
            "Give the new employer the context briefly and without bitterness.",
        ],
    },
}

# Workplace details, common first: the tail puts uncommon words (printer, probation, maternity,
# headphones, …) in a handful of posts each, so the labelled sets' rarer words are not unique.
DETAILS = [
    "We had a performance review in {month} and nothing was said about any of this.",
    "The team meeting on Mondays is where most of the trouble starts.",
    "Our budget was cut again this year.",
    "I have a good record and no complaints on file.",
    "My salary is modest but it covers the rent.",
    "The office is open-plan and every conversation carries.",
    "I work part-time, three days a week.",
    "We are short of staff and the agency workers change every week.",
    "The client list has grown but the team has not.",
    "I am still on probation, with two months to go.",
    "My contract is temporary and ends in {month}.",
    "Our union rep is friendly but stretched thin.",
    "I was a graduate trainee here and never left.",
    "My partner is on maternity leave, so money matters more than ever.",
    "The printer breaks every week and somehow that is my job too.",
    "Everyone wears headphones, so nobody talks.",
    "The expense claims system takes months to pay out.",
    "We have a mentoring scheme that nobody uses.",
    "I took paternity leave last year and was teased about it for weeks.",
    "The company was bought by an insurer in the spring.",
    "Targets are set quarterly and changed without warning.",
    "My manager holds fortnightly catch-ups when she remembers.",
    "The dress code says nothing about visible tattoos, but people notice.",
    "I did an unpaid internship to get my foot in the door.",
    "A colleague took a sabbatical and came back to a different job.",
    "The canteen closed, so we eat at our desks.",
    "I once had a counteroffer from here when I nearly left, and I took it.",
    "We use a shared clipboard to sign in and out, like school.",
    "There is a whistleblowing policy, but nobody trusts it.",
    "Our biggest client is a supermarket, and they set the pace.",
    "Half the team are freelance and work from cafes.",
    "I teach a class at the weekend for extra money.",
    "I have a hearing aid and meetings on video are hard work.",
    "The performance improvement plan template sits on the shared drive.",
    "There is a restrictive clause in my contract I never read properly.",
    "My old boss took a job at a startup and keeps asking me to follow.",
    "We have a health and safety officer but no occupational health service.",
    "I keep a file of thank-you emails for when I need them.",
    "The quarterly all-hands is held in a cold warehouse.",
    "Our pension scheme was closed to new staff.",
    "The graduate scheme takes twelve people a year from four hundred.",
    "Someone left a magazine open at the jobs page in the kitchen.",
    "We were promised a four-day week trial that never started.",
    "A colleague was signed off sick with stress and never came back.",
]
COLOUR = [
    "Outside work I love {hobby}.",
    "I live in {town} with {family}.",
    "I am good at my job and my reviews say so.",
    "I have never written to an advice column before.",
    "Money is tight because {family} relies on my wage.",
    "My commute is an hour each way on two buses.",
    "I keep everything on {tool}, which nobody else bothers to update.",
    "I am the kind of person who stays late to finish things.",
    "The office has moved twice in {years}.",
    "I started as a trainee and worked my way up.",
    "Most of my friends work in the same sector.",
    "I am not someone who complains easily.",
]
SIGN_OFFS = [
    "Thank you for reading.",
    "Any advice would be welcome.",
    "I would be grateful for your view.",
    "Please help.",
]
PEN_FIRST = (
    "Stuck|Tired|Worried|Hopeful|Fed Up|Puzzled|Overlooked|Restless|Underpaid|Anxious|"
    "Weary|Curious|Frustrated|Torn|Ready to Go|Quietly Fuming|Unseen|Burnt Out|Second-Guessing|"
    "Nearly Fifty|New Starter|Out of Ideas|Wondering|Grumpy|Undecided|Half In|Trying Again|"
    "Frozen Out|Invisible|Furious|Second Fiddle|Hard Pressed|Watched|Baffled|Quietly Hopeful"
).split("|")
DEPARTMENTS = "Finance|Sales|Accounts|Marketing|Retail|HR|Logistics|Research|Reception".split("|")
ANSWER_OPENERS = [
    "You are right to take this seriously.",
    "This happens more than people admit.",
    "Start with the facts, then the feelings.",
    "You have more options than you think.",
    "Do not decide in a hurry.",
]
GUIDE_TITLES = [
    "What to do about {topic}",
    "A short guide to {topic}",
    "{Topic}: where to start",
    "Five questions about {topic}",
    "Thinking clearly about {topic}",
]
TOPIC_PHRASES = {
    "pay": "asking for more pay",
    "promotion": "being passed over",
    "manager": "a hard-to-please boss",
    "colleague": "trouble with colleagues",
    "interview": "interviews",
    "job_search": "a long job search",
    "remote": "working from home",
    "burnout": "burnout",
    "resignation": "resigning",
    "training": "training and courses",
    "fairness": "unfair treatment at work",
    "redundancy": "redundancy",
    "freelance": "freelance life",
    "career_change": "changing career",
    "references": "references",
}


def zipf_weights(n, s=1.0):
    return [1 / (rank + 1) ** s for rank in range(n)]


class Letter(dict):
    """Slot values for one post: a slot keeps its value everywhere in the post."""

    def __init__(self, rng):
        super().__init__()
        self.rng = rng

    def __missing__(self, key):
        base = key.lower()
        if base in self:
            value = self[base]
        else:
            values = SLOT_VALUES[base]
            value = self.rng.choices(values, zipf_weights(len(values)))[0]
            self[base] = value
        if key != base:
            return value[0].upper() + value[1:]
        return value


def _pick(rng, items, k=1):
    """k different items, earlier ones likelier (Zipf-like)."""
    pool = list(items)
    weights = zipf_weights(len(pool), 0.8)
    chosen = []
    for _ in range(min(k, len(pool))):
        index = rng.choices(range(len(pool)), weights)[0]
        chosen.append(pool.pop(index))
        weights.pop(index)
    return chosen


def _fill(template, slots):
    # "{boss}" at the start of a sentence is capitalised: "{Boss}" asks for that.
    if template.startswith("{"):
        template = "{" + template[1].upper() + template[2:]
    text = template.format_map(slots)
    return text[0].upper() + text[1:]


TOPIC_NAMES = list(TOPICS)


def distractor(n, rng):
    """The n-th distractor: a letter dict (kind "letter") or, one in GUIDE_EVERY, a guide."""
    topic = rng.choices(TOPIC_NAMES, zipf_weights(len(TOPIC_NAMES), 0.5))[0]
    bank = TOPICS[topic]
    slots = Letter(rng)
    if n % GUIDE_EVERY == GUIDE_EVERY - 1:
        phrase = TOPIC_PHRASES[topic]
        title = rng.choice(GUIDE_TITLES).format(topic=phrase, Topic=phrase.capitalize())
        paragraphs = [
            " ".join(_fill(t, slots) for t in _pick(rng, bank["answers"], 2)),
            " ".join(_fill(t, slots) for t in _pick(rng, bank["details"], 2)),
            " ".join(_fill(t, slots) for t in _pick(rng, ANSWER_OPENERS + bank["answers"], 2)),
        ]
        return {
            "kind": "guide",
            "slug": f"bench-guide-{n:06d}-{topic.replace('_', '-')}",
            "title": title,
            "intro": _fill(rng.choice(bank["situations"]), slots),
            "body": paragraphs,
        }
    sentences = _pick(rng, bank["situations"], 1) + _pick(rng, bank["details"], rng.randint(1, 3))
    if rng.random() < 0.6:
        sentences.insert(rng.randint(1, len(sentences)), rng.choice(COLOUR))
    if rng.random() < 0.7:
        detail = rng.choices(DETAILS, zipf_weights(len(DETAILS)))[0]
        sentences.insert(rng.randint(1, len(sentences)), detail)
    sentences += _pick(rng, bank["asks"], rng.randint(1, 2))
    if rng.random() < 0.3:
        sentences.append(rng.choice(SIGN_OFFS))
    question = " ".join(_fill(t, slots) for t in sentences)
    first = rng.choices(PEN_FIRST, zipf_weights(len(PEN_FIRST)))[0]
    where = rng.random()
    if where < 0.55:
        pen_name = f"{first} in {slots['town']}"
    elif where < 0.75:
        pen_name = f"{first} in {rng.choices(DEPARTMENTS, zipf_weights(len(DEPARTMENTS)))[0]}"
    else:
        pen_name = f"{first} {slots['role'].title()}"
    answer = [rng.choice(ANSWER_OPENERS), *_pick(rng, bank["answers"], rng.randint(1, 3))]
    return {
        "kind": "letter",
        "slug": f"bench-letter-{n:06d}-{topic.replace('_', '-')}",
        "title": f"Dear {COLUMNIST} – {pen_name}",
        "pen_name": pen_name,
        "question": question,
        "answer": " ".join(_fill(t, slots) for t in answer),
    }


def distractors(count, seed=11):
    rng = random.Random(seed)  # noqa: S311  # repeatable made-up letters, not secrets
    for n in range(count):
        yield distractor(n, rng)


def labelled_posts():
    """The labelled letters and guides, as distractor() shapes them."""
    letters = json.loads(LETTERS.read_text(encoding="utf-8"))["letters"]
    guides = json.loads(SEARCH.read_text(encoding="utf-8")).get("guides", [])
    for letter in letters:
        yield {"kind": "letter", **letter}
    for guide in guides:
        yield {"kind": "guide", **guide}


# --- the WXR export --------------------------------------------------------------------------


def wxr_head(title, site):
    """The start of a WXR 1.2 export: the channel and its one author, Dr. Mimi."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
        f"<title>{title}</title><link>{site}</link>"
        "<wp:wxr_version>1.2</wp:wxr_version>"
        f"<wp:base_site_url>{site}</wp:base_site_url>"
        f"<wp:base_blog_url>{site}</wp:base_blog_url>\n"
        "<wp:author><wp:author_id>1</wp:author_id><wp:author_login>mimi</wp:author_login>"
        "<wp:author_email>mimi@bench.example</wp:author_email>"
        "<wp:author_display_name>Dr. Mimi</wp:author_display_name></wp:author>\n"
    )


def _cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _paragraphs(text):
    return "\n".join(f"<p>{escape(part)}</p>" for part in text if part)


def letter_body(post):
    """The body import_wordpress splits into question, pen name and answer (see
    dearly/importer/content/letters.py): "Dear X," question "—Pen", "Dear Pen," answer "—X"."""
    pen = post["pen_name"]
    return (
        f"<p>Dear {escape(COLUMNIST)},</p>\n{_paragraphs([post['question']])}\n"
        f"<p>—{escape(pen)}</p>\n<p>Dear {escape(pen)},</p>\n"
        f"{_paragraphs([post['answer']])}\n<p>—{escape(COLUMNIST)}</p>"
    )


def _comment_text(rng):
    openings = ["I had the same thing", "Great answer", "Been there", "This is so familiar",
                "Thank you, Dr. Mimi", "Hard disagree", "My sister went through this"]  # fmt: skip
    endings = ["and it got better.", "and I left in the end.", "so you are not alone.",
               "but the advice worked.", "and HR was no help at all."]  # fmt: skip
    return f"{rng.choice(openings)} {rng.choice(endings)}"


def write_wxr(path, count=3000, seed=11, comments_per_post=0, labelled=True):
    """A WXR 1.2 file: the labelled letters and guides (if `labelled`), then `count`
    distractors, each post with `comments_per_post` approved comments. Returns counts."""
    rng = random.Random(seed + 1)  # noqa: S311  # dates and comments, not secrets
    start = datetime.datetime(2012, 1, 1, 10, 0)
    posts = itertools.chain(labelled_posts() if labelled else (), distractors(count, seed))
    counts = {"letters": 0, "guides": 0, "comments": 0}
    comment_id = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(wxr_head("Retrieval bench column", SITE))
        for number, post in enumerate(posts, start=1):
            wp_id = number * 10
            # spread over 14 years, so no post outranks another by being newer
            date = start + datetime.timedelta(hours=(number * 7919) % (14 * 365 * 24))
            date = date.strftime("%Y-%m-%d %H:%M:%S")
            if post["kind"] == "letter":
                body, excerpt = letter_body(post), ""
                counts["letters"] += 1
            else:
                body, excerpt = _paragraphs(post["body"]), post["intro"]
                counts["guides"] += 1
            out.write(
                f"<item><title>{escape(post['title'])}</title>"
                f"<link>{SITE}/{date[:4]}/{date[5:7]}/{post['slug']}/</link>"
                "<dc:creator>mimi</dc:creator>"
                f'<guid isPermaLink="false">{SITE}/?p={wp_id}</guid>'
                f"<content:encoded>{_cdata(body)}</content:encoded>"
                f"<excerpt:encoded>{_cdata(excerpt)}</excerpt:encoded>"
                f"<wp:post_id>{wp_id}</wp:post_id><wp:post_date>{date}</wp:post_date>"
                f"<wp:post_date_gmt>{date}</wp:post_date_gmt>"
                "<wp:comment_status>open</wp:comment_status>"
                f"<wp:post_name>{post['slug']}</wp:post_name>"
                "<wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent>"
                "<wp:menu_order>0</wp:menu_order><wp:post_type>post</wp:post_type>"
                "<wp:is_sticky>0</wp:is_sticky>"
            )
            for _ in range(comments_per_post):
                comment_id += 1
                out.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>Reader {comment_id % 499}</wp:comment_author>"
                    f"<wp:comment_author_email>r{comment_id % 499}@mail.example"
                    "</wp:comment_author_email>"
                    f"<wp:comment_date_gmt>{date}</wp:comment_date_gmt>"
                    f"<wp:comment_content>{_cdata(_comment_text(rng))}</wp:comment_content>"
                    "<wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type>"
                    "<wp:comment_parent>0</wp:comment_parent>"
                    "<wp:comment_user_id>0</wp:comment_user_id></wp:comment>"
                )
                counts["comments"] += 1
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")
    return counts


def vocabulary(count=3000, seed=11):
    """How many posts each word is in, over `count` distractors: {word: posts}."""
    seen = {}
    for post in distractors(count, seed):
        text = " ".join([post["title"], post.get("question", ""), post.get("answer", ""),
                         post.get("intro", ""), *post.get("body", [])])  # fmt: skip
        for word in set(re.findall(r"[a-z]+", text.lower())):
            seen[word] = seen.get(word, 0) + 1
    return seen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="the WXR file to write")
    parser.add_argument("--distractors", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--comments-per-post", type=int, default=0)
    parser.add_argument("--no-labelled", action="store_true", help="distractors only")
    parser.add_argument("--stats", action="store_true", help="print word-frequency figures")
    args = parser.parse_args(argv)
    counts = write_wxr(args.out, args.distractors, args.seed, args.comments_per_post,
                       labelled=not args.no_labelled)  # fmt: skip
    print(f"wrote {args.out}: {counts}")
    if args.stats:
        seen = vocabulary(args.distractors, args.seed)
        ranked = sorted(seen.items(), key=lambda item: -item[1])
        share = [round(n / args.distractors, 3) for _, n in ranked[:: max(1, len(ranked) // 12)]]
        print(f"{len(seen)} distinct words; share of posts per word, every 1/12 of the ranks: "
              f"{share}")  # fmt: skip
        print("most common:", ", ".join(f"{w} {n}" for w, n in ranked[:15]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
