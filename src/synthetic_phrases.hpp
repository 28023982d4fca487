// The texts the synthetic generator (src/synthetic.cpp) writes into records,
// with the weights of the named things among them (emotions, distortions).
// Facts follow the seed documents on anxious attachment; the sentences are
// our own. Lists indexed by an enum are in that enum's order.
#pragma once

#include <array>
#include <string_view>

namespace calmkit::detail::synthetic {

/// What was happening, two per category (enum order).
inline constexpr std::array<std::array<std::string_view, 2>, 18> contexts{{
    {"sent a message at lunch and still no answer by evening", "they were online but did not reply"},
    {"affectionate at breakfast, short on the phone later", "said they missed me, then cut the call short"},
    {"quiet all evening with eyes on their phone", "shorter messages than usual all week"},
    {"no good-morning message today", "they moved their gym night without mentioning it"},
    {"disagreement about the weekend plans", "they said I was overreacting"},
    {"they are buried in a deadline and barely talk", "their parent is ill and they pulled back"},
    {"asked where this is going and got a vague answer", "not sure whether we are meeting on Saturday"},
    {"dinner moved to next week at the last minute", "they cancelled our call to stay late at work"},
    {"empty flat on a Friday night", "they are away for the weekend"},
    {"friends posted engagement photos", "scrolling through other couples' holiday pictures"},
    {"family dinner with questions about my love life", "a party where I knew almost nobody"},
    {"waiting for test results", "a headache that would not go away"},
    {"an unexpected bill arrived", "my manager criticised my report"},
    {"talking about moving in together", "a job offer in another city"},
    {"heart racing after too much coffee", "woke up with a tight chest"},
    {"kept replaying what I said at dinner", "told myself I am too needy"},
    {"rewrote a message to them five times", "worried I forgot a date that matters to them"},
    {"an old song came on the radio", "something unsettled me that I cannot name"},
}};

inline constexpr std::array<std::string_view, 12> thoughts{
    "they are losing interest",   "I did something wrong",
    "they are going to leave",    "I am too much for them",
    "something bad has happened", "they would reply if they cared",
    "I will end up alone",        "everyone else is happier than me",
    "I cannot cope with this",    "they are talking to someone else",
    "I always ruin things",       "I need to fix this right now",
};

inline constexpr std::array<std::string_view, 12> sensations{
    "tight chest",        "shallow breathing", "racing heart", "knot in the stomach", "restless hands",
    "lump in the throat", "hot face",          "clenched jaw", "shaky legs",          "nausea",
    "heavy limbs",        "cannot sit still",
};

inline constexpr std::array<std::string_view, 10> urges{
    "check when they were last online",
    "send another message",
    "call them",
    "ask whether we are okay",
    "reread our old messages",
    "look at their social media",
    "go silent to protect myself",
    "apologise for something I did not do",
    "write a long message explaining everything",
    "cancel my own plans to stay available",
};

inline constexpr std::array<std::string_view, 12> responses{
    "put the phone in another room",
    "named the feeling out loud",
    "waited before replying",
    "went for a short walk",
    "breathed slowly for a few minutes",
    "wrote the worry down",
    "texted a friend instead",
    "remembered the last time this turned out fine",
    "made tea and sat with the feeling",
    "listed three other explanations",
    "took a warm shower",
    "let the wave peak and pass",
};

/// What happened after giving in to the urge (the responses above would contradict it).
inline constexpr std::array<std::string_view, 4> responses_after_acting{
    "sent it, then put the phone away",
    "apologised later for the string of messages",
    "talked it through with them the next day",
    "noticed the relief did not last",
};

inline constexpr std::array<std::string_view, 6> extra_tags{
    "tired", "after-coffee", "long-distance", "texting", "work-day", "recurring",
};

// Thought-record text, by trigger group (relationship, life, internal).
inline constexpr std::array<std::array<std::string_view, 4>, 3> automatic_thoughts{{
    {"They are pulling away because I am not enough", "If they cared they would have answered by now",
     "This is the beginning of the end", "They are annoyed with me and will not say it"},
    {"If this goes wrong everything falls apart", "Nobody really wants me around",
     "I will never get this right", "I will be left on my own with this"},
    {"Feeling this scared means something is truly wrong", "I am too needy to be loved",
     "Everyone can see how anxious I am", "I should be over this by now"},
}};

inline constexpr std::array<std::string_view, 6> evidence_for{
    "they replied more slowly than usual",
    "they seemed distracted",
    "it happened once before",
    "their tone felt flat",
    "they did not say goodnight",
    "plans changed without much explanation",
};

inline constexpr std::array<std::string_view, 7> evidence_against{
    "they said yesterday they were looking forward to the weekend",
    "they have always replied in the end",
    "they told me their day was packed",
    "they made plans with me for next week",
    "a friend read the message and saw nothing cold in it",
    "I have felt exactly this before and it passed",
    "they checked in on me when I was ill",
};

inline constexpr std::array<std::string_view, 12> alternative_explanations{
    "their phone battery died",
    "they are in a meeting",
    "they fell asleep early",
    "they are tired and need quiet, not distance from me",
    "they are dealing with their own stress",
    "they read it and want to answer properly later",
    "they did not see my message",
    "they are driving",
    "they are with family and cannot talk",
    "they thought no reply was needed",
    "their mood had nothing to do with me",
    "they feel as unsure as I do",
};

inline constexpr std::array<std::string_view, 5> friend_advice{
    "You have no proof anything is wrong; give it until tomorrow",
    "One quiet evening does not undo months of care",
    "Look after yourself tonight and ask them calmly later",
    "You deserve the patience you would give anyone else",
    "Feelings are loud, not always right",
};

inline constexpr std::array<std::string_view, 5> balanced_thoughts{
    "The silence is uncomfortable, but it most likely has an ordinary reason",
    "I can feel anxious and still wait before acting",
    "One slow reply is not a verdict on the relationship",
    "I cannot know what they think; I can look after myself",
    "The alarm is loud, but the facts are mild",
};

/// Emotions named in thought records and how often; anxiety leads.
inline constexpr std::array<std::string_view, 7> emotion_names{"anxiety",    "fear",  "sadness", "shame",
                                                               "loneliness", "anger", "jealousy"};
inline constexpr std::array<double, 7> emotion_weights{5.0, 2.0, 2.5, 1.5, 1.5, 1.0, 0.8};

/// Distortions (enum order): mind reading, catastrophizing and fortune telling
/// are the traps anxious attachment falls into most.
inline constexpr std::array<double, 12> distortion_weights{
    1.5,  // all_or_nothing
    1.5,  // overgeneralization
    1.0,  // mental_filter
    1.0,  // discounting_positive
    5.0,  // mind_reading
    4.0,  // fortune_telling
    5.0,  // catastrophizing
    2.0,  // emotional_reasoning
    1.0,  // should_statements
    1.0,  // labeling
    2.0,  // personalization
    0.5,  // blaming
};

inline constexpr std::array<std::string_view, 12> things_seen{
    "the lamp by the window", "a blue mug",        "rain on the glass", "my keys on the table",
    "a crack in the ceiling", "the green cushion", "a stack of books",  "the clock on the wall",
    "a plant on the shelf",   "my own hands",      "a red car outside", "the light switch",
};

inline constexpr std::array<std::string_view, 5> names_for_feeling{
    "fear", "the old abandonment alarm", "loneliness", "worry about being left", "shame"};

inline constexpr std::array<std::string_view, 3> notes_high{
    "still checking my phone", "hard to think about anything else", "pacing around"};
inline constexpr std::array<std::string_view, 3> notes_mid{"a little easier now", "breathing slower",
                                                           "the urge is fading"};
inline constexpr std::array<std::string_view, 3> notes_low{"feeling steadier", "mostly settled",
                                                           "back to my evening"};
inline constexpr std::array<std::string_view, 4> notes_checkin{"daily check-in", "morning check-in",
                                                               "calm day so far", "a bit on edge today"};
inline constexpr std::array<std::string_view, 4> notes_assessment{
    "answered before my therapy session", "a hard few days before this one", "filled in on my phone",
    "took my time over it"};
}  // namespace calmkit::detail::synthetic
