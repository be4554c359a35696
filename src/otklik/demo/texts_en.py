"""English phrases: expats, international marketplace customers, app-store reviewers."""

from __future__ import annotations

from otklik.demo.phrasebook import Phrasebook

__all__ = ["PHRASEBOOK"]

_TOPICS: dict[tuple[str, str], tuple[str, ...]] = {
    ("login", "neg"): (
        "Can't log in to the app {since}, it keeps showing {error}.",
        "I cannot log into the app, the SMS code never arrives.",
        "Login is broken again. {error} every time I try.",
        "The app won't let me sign in on my {device}. My money is stuck.",
        "Unable to log in since the update, reinstalling didn't help.",
        "App login fails with {error}, I can't pay for anything.",
    ),
    ("login", "mix"): (
        "Login works most of the time but sometimes hangs.",
        "Face ID fails every other time, then I have to type the code.",
    ),
    ("login", "pos"): (
        "Logging in with Face ID takes a second, love it.",
        "Never had a problem signing in, very smooth.",
    ),
    ("app", "neg"): (
        "The app keeps crashing on my {device}.",
        "Since the last update the app is painfully slow and {feature} won't load.",
        "The app froze during a payment and I don't know if it went through.",
        "Confusing app, they hid {feature} somewhere I can't find.",
    ),
    ("app", "mix"): (
        "Decent app, but {feature} are slow.",
        "It's fine, though the new design is harder to use.",
        "Good overall, please add a dark mode.",
    ),
    ("app", "pos"): (
        "Great app, {feature} are quick and clear.",
        "Best banking app I've used, everything is one tap away.",
        "Fast, clean and reliable. Use it every day.",
    ),
    ("fees", "neg"): (
        "They charged me {amount} {fee} again, it was supposed to be free.",
        "Fees are way too high, other banks don't charge {fee}.",
        "The plan got more expensive without any notice, now it's {amount} a month.",
        "Hidden fees everywhere. Found a {amount} charge {fee} on my statement.",
    ),
    ("fees", "mix"): (
        "Service is ok but the fee {fee} could be lower.",
        "Happy with most things except the charges {fee}.",
    ),
    ("fees", "pos"): (
        "No fees {fee}, exactly what I wanted.",
        "Transparent pricing, no surprises.",
    ),
    ("transfers", "neg"): (
        "My transfer of {amount} has been stuck {since}, money is gone but not received.",
        "The payment went through twice and I was charged {amount} extra.",
        "They blocked my transfer as suspicious and I had to visit a branch.",
    ),
    ("transfers", "mix"): (
        "Transfers work but the limits are too low.",
        "Money arrived, just a few hours later than expected.",
    ),
    ("transfers", "pos"): (
        "Instant transfers by phone number, brilliant.",
        "Sent {amount} abroad with no hassle.",
    ),
    ("card", "neg"): (
        "Still waiting for my card after {days}, the courier doesn't answer.",
        "My card was blocked without any explanation.",
        "The card doesn't work abroad even though I told them about my trip.",
    ),
    ("card", "mix"): (
        "Card arrived, one day later than promised.",
        "The card is fine, delivery had to be rescheduled twice.",
    ),
    ("card", "pos"): (
        "Card delivered the next day, polite courier.",
        "Got a virtual card in a minute, super convenient.",
    ),
    ("support", "neg"): (
        "Waited {wait} on the line and nobody answered.",
        "The agent hung up on me before I finished explaining.",
        "Chat is just a bot, impossible to reach a human.",
        "Called {times}, explained everything from scratch each time, still not fixed.",
        "The agent promised to call back and never did, so I had to call again.",
    ),
    ("support", "mix"): (
        "They solved it in the end, but I was on hold for {wait}.",
        "Polite agent, but it took two calls to sort out.",
    ),
    ("support", "pos"): (
        "Huge thanks to the support team, fixed in five minutes!",
        "Quick and helpful answer in the chat.",
        "Very kind agent who explained everything.",
    ),
    ("loan", "neg"): (
        "Loan rejected with no reason given after a pre-approval.",
        "My loan application has been under review for {days}.",
        "They forced insurance on my loan and wouldn't let me opt out.",
    ),
    ("loan", "mix"): (
        "Loan approved, though the rate could be better.",
        "Got the loan but had to upload documents twice.",
    ),
    ("loan", "pos"): (
        "Loan approved in ten minutes right in the app.",
        "Easy early repayment, very transparent.",
    ),
    ("insurance", "neg"): (
        "For my insurance claim I was transferred {times} between the bank and the insurer.",
        "The bank sends me to the insurance company and they send me back to the bank.",
        "I keep getting bounced between the bank and the insurance partner, waiting {days}.",
        "Transferred again and again, nobody owns my claim.",
    ),
    ("insurance", "mix"): (
        "Got my insurance payout, but I had to deal with both the bank and the insurer.",
        "Buying the policy was easy, the claim was not.",
    ),
    ("insurance", "pos"): (
        "Insurance claim paid within a week, no runaround.",
        "Handy to buy insurance right in the bank app.",
    ),
    ("delivery", "neg"): (
        "My marketplace order was due {days} ago and the status hasn't changed.",
        "Received the wrong item and I can't open a return.",
        "The seller doesn't reply and my refund for a cancelled order never came.",
        "Parcel lost, support only sends canned replies.",
    ),
    ("delivery", "mix"): (
        "Good product but delivery was a couple of days late.",
        "The box was damaged but everything inside was fine.",
    ),
    ("delivery", "pos"): (
        "Order arrived a day early, perfect.",
        "Fast delivery and the item matches the description.",
    ),
    ("cashback", "neg"): (
        "Last month's cashback was never credited.",
        "They cut the cashback categories, the card isn't worth it anymore.",
    ),
    ("cashback", "mix"): ("Cashback is ok but the categories change every month.",),
    ("cashback", "pos"): (
        "Great cashback on groceries and taxis.",
        "Cashback always arrives on time.",
    ),
}

_SLOTS: dict[str, tuple[str, ...]] = {
    "since": ("since yesterday", "all morning", "for three days", "since Monday", "for two days"),
    "error": ('"Service unavailable"', '"Error 503"', '"Something went wrong"', '"Invalid code"'),
    "device": ("iPhone 13", "iPhone 15", "Galaxy S23", "Pixel 7", "Redmi Note 12"),
    "fee": ("for card maintenance", "for transfers", "for SMS alerts", "for cash withdrawals"),
    "amount": ("$5", "$12", "€9", "1,500 RUB", "990 RUB", "AED 35"),
    "wait": ("40 minutes", "half an hour", "over an hour", "20 minutes"),
    "times": ("three times", "four times", "twice", "five times"),
    "days": ("two weeks", "10 days", "a month", "three weeks"),
    "feature": ("transfers", "QR payments", "statements", "recurring payments"),
}

_OPENERS: dict[str, tuple[str, ...]] = {
    "neg": ("Terrible.", "Very disappointed.", "Seriously?", "Hello,"),
    "mix": ("Not bad.", "Mostly fine.", "OK overall."),
    "pos": ("Thank you!", "Excellent.", "Love it!"),
}
_CLOSERS: dict[str, tuple[str, ...]] = {
    "neg": ("Fix it!", "Thinking of switching banks.", "I want my money back.", "Please respond."),
    "mix": ("Room for improvement.", "Please look into it."),
    "pos": ("Highly recommend!", "Keep it up!", "Five stars 👍"),
}

_EXIT: dict[str, tuple[str, ...]] = {
    "high fees": (
        "High fees. Another bank offers free accounts.",
        "Leaving because of the fees: {amount} {fee} is too much.",
        "Fees keep going up, not worth it anymore.",
    ),
    "better offer elsewhere": (
        "Found a bank with better deposit rates.",
        "Got a better offer from a competitor.",
    ),
    "poor service": ("Support never solves anything.", "Poor service on the phone and in branch."),
    "app problems": (
        "The app is too unreliable to use.",
        "After the login outage I stopped trusting the app.",
    ),
    "moving away": ("Moving to another country.", "Relocating, no branches where I'm going."),
    "no longer needed": ("Loan repaid, no need for the account.", "I don't use it anymore."),
}

_EMPLOYEE: dict[tuple[str, str], tuple[str, ...]] = {
    ("workload", "neg"): ("The call queue never ends, we are understaffed.",),
    ("kpi", "neg"): ("The AHT target pushes us to rush customers instead of helping them.",),
    ("management", "pos"): ("My manager is supportive and clear.",),
    ("tools", "neg"): ("The CRM is slow, five windows for every call.",),
    ("pay", "mix"): ("Pay is about market average.",),
    ("team", "pos"): ("Great team and interesting work.", "Friendly colleagues."),
    ("team", "mix"): ("Nice people, messy processes.",),
}

PHRASEBOOK = Phrasebook(
    topics=_TOPICS,
    slots=_SLOTS,
    openers=_OPENERS,
    closers=_CLOSERS,
    exit_reasons=_EXIT,
    employee=_EMPLOYEE,
)
