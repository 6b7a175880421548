"""Words for the demo data (config/demo.py): names, handles, captions and comments that read like the world.

Eight languages, each with captions and comments written positive, neutral and negative, and Reddit
titles that read like Reddit. Everything is made up; any likeness to a real account is chance.
"""

from __future__ import annotations

import random

# (first names, last names) per language; handles are built from them.
NAMES: dict[str, tuple[list[str], list[str]]] = {
    "en": (
        ["Emma", "Olivia", "Jack", "Noah", "Chloe", "Liam", "Grace", "Ethan"],
        ["Walker", "Hughes", "Bennett", "Carter", "Reid", "Foster"],
    ),
    "es": (
        ["Lucía", "Sofía", "Mateo", "Alejandro", "Valeria", "Diego", "Carmen", "Pablo"],
        ["García", "Martínez", "López", "Ruiz", "Navarro", "Torres"],
    ),
    "pt": (
        ["Beatriz", "Mariana", "João", "Rafael", "Larissa", "Thiago", "Ana", "Gabriel"],
        ["Silva", "Souza", "Costa", "Oliveira", "Almeida", "Ferreira"],
    ),
    "de": (
        ["Lena", "Hannah", "Jonas", "Lukas", "Mia", "Felix", "Clara", "Moritz"],
        ["Müller", "Schmidt", "Wagner", "Becker", "Hoffmann", "Krüger"],
    ),
    "fr": (
        ["Camille", "Léa", "Hugo", "Louis", "Manon", "Jules", "Chloé", "Théo"],
        ["Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre"],
    ),
    "it": (
        ["Giulia", "Chiara", "Marco", "Luca", "Francesca", "Matteo", "Sara", "Davide"],
        ["Rossi", "Russo", "Ferrari", "Esposito", "Romano", "Greco"],
    ),
    "tr": (
        ["Elif", "Zeynep", "Emre", "Mehmet", "Ayşe", "Burak", "Selin", "Can"],
        ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın"],
    ),
    "id": (
        ["Putri", "Ayu", "Budi", "Rizky", "Dewi", "Agus", "Sari", "Dimas"],
        ["Santoso", "Wijaya", "Pratama", "Saputra", "Lestari", "Hidayat"],
    ),
}
# Most demo creators write in English, as on the platforms; the rest spread over seven languages.
LANGUAGE_WEIGHTS = {"en": 40, "es": 14, "pt": 12, "de": 9, "fr": 9, "it": 7, "tr": 5, "id": 4}

# What a handle says about the niche ("lucia.cooks", "jonas_lifts").
NICHE_WORDS = {
    "fashion": ["style", "wears", "closet"],
    "beauty": ["glow", "beauty", "skin"],
    "fitness": ["lifts", "fit", "moves"],
    "food": ["cooks", "eats", "kitchen"],
    "travel": ["travels", "abroad", "roams"],
    "tech": ["tech", "builds", "setup"],
    "gaming": ["plays", "gg", "games"],
    "music": ["sings", "music", "beats"],
    "pets": ["andpets", "dogmom", "paws"],
    "parenting": ["family", "mama", "papa"],
    "finance": ["money", "saves", "invests"],
    "photography": ["shoots", "lens", "frames"],
}

# Captions by language and sentiment. English ones take the niche's topic ({topic}).
CAPTIONS: dict[str, dict[str, list[str]]] = {
    "en": {
        "positive": [
            "Absolutely loving this: {topic} 💛",
            "Best week in ages. {topic}, and thank you all for the support!",
        ],
        "neutral": ["New post: {topic}.", "{topic}, step by step. Details in the comments."],
        "negative": [
            "Honestly disappointed. {topic} did not go to plan.",
            "Not recommending this one: {topic} was a waste of money.",
        ],
    },
    "es": {
        "positive": ["¡Me encanta cómo quedó! Gracias por todo el apoyo 💛", "El mejor día del mes, de verdad."],
        "neutral": ["Nuevo vídeo: os cuento cómo lo hago paso a paso.", "Hoy toca rutina de siempre."],
        "negative": [
            "Sinceramente, una decepción. No lo volvería a comprar.",
            "Qué mal servicio, no os lo recomiendo.",
        ],
    },
    "pt": {
        "positive": ["Amei demais o resultado! Obrigada pelo carinho 💛", "Que semana incrível, gente."],
        "neutral": ["Post novo: mostro o passo a passo.", "Rotina de hoje, sem segredo."],
        "negative": ["Que decepção, não recomendo.", "Infelizmente não funcionou pra mim."],
    },
    "de": {
        "positive": ["Ich bin total begeistert, danke für eure Unterstützung! 💛", "Was für ein schöner Tag."],
        "neutral": ["Neues Video: so mache ich es Schritt für Schritt.", "Heute die übliche Routine."],
        "negative": [
            "Leider eine Enttäuschung, würde ich nicht nochmal kaufen.",
            "Schlechter Service, keine Empfehlung.",
        ],
    },
    "fr": {
        "positive": ["Je suis trop contente du résultat, merci pour votre soutien ! 💛", "Une semaine géniale."],
        "neutral": ["Nouvelle vidéo : je vous montre tout étape par étape.", "La routine du jour."],
        "negative": ["Franchement déçue, je ne le rachèterai pas.", "Service nul, je ne recommande pas."],
    },
    "it": {
        "positive": ["Sono felicissima del risultato, grazie a tutti! 💛", "Che settimana fantastica."],
        "neutral": ["Nuovo video: vi mostro tutto passo dopo passo.", "La solita routine di oggi."],
        "negative": ["Davvero una delusione, non lo ricomprerei.", "Pessimo servizio, sconsigliato."],
    },
    "tr": {
        "positive": ["Sonuca bayıldım, desteğiniz için teşekkürler! 💛", "Harika bir hafta geçirdim."],
        "neutral": ["Yeni video: adım adım anlatıyorum.", "Bugünün rutini."],
        "negative": ["Gerçekten hayal kırıklığı, bir daha almam.", "Kötü hizmet, tavsiye etmiyorum."],
    },
    "id": {
        "positive": ["Suka banget sama hasilnya, makasih dukungannya! 💛", "Minggu yang luar biasa."],
        "neutral": ["Video baru: aku jelasin langkah demi langkah.", "Rutinitas hari ini."],
        "negative": ["Jujur kecewa, nggak akan beli lagi.", "Pelayanannya buruk, nggak rekomen."],
    },
}

COMMENTS: dict[str, dict[str, list[str]]] = {
    "en": {
        "positive": ["This is so good, saving it!", "Love this, thank you 🙌"],
        "neutral": ["Where is this from?", "What camera do you use?"],
        "negative": ["Another ad, unfollowing.", "This didn't work for me at all."],
    },
    "es": {
        "positive": ["¡Qué bonito!"],
        "neutral": ["¿Dónde lo compraste?"],
        "negative": ["Otra publicidad más, qué pesadez."],
    },
    "pt": {"positive": ["Que lindo!"], "neutral": ["Onde você comprou?"], "negative": ["Mais um publi, que chato."]},
    "de": {
        "positive": ["Wie schön!"],
        "neutral": ["Wo hast du das gekauft?"],
        "negative": ["Schon wieder Werbung, nervig."],
    },
    "fr": {"positive": ["Trop beau !"], "neutral": ["Tu l'as acheté où ?"], "negative": ["Encore une pub, ça saoule."]},
    "it": {
        "positive": ["Bellissimo!"],
        "neutral": ["Dove l'hai comprato?"],
        "negative": ["Un'altra pubblicità, che noia."],
    },
    "tr": {"positive": ["Çok güzel!"], "neutral": ["Nereden aldın?"], "negative": ["Yine reklam, sıkıcı."]},
    "id": {"positive": ["Bagus banget!"], "neutral": ["Belinya di mana?"], "negative": ["Iklan lagi, bosen."]},
}

# Reddit titles: questions, progress posts, discussions, rants; {topic} is the niche's topic.
REDDIT_TITLES = {
    "positive": [
        "Finally did it: {topic} after two years of trying",
        "Progress update: {topic}, six months in (pics)",
        "Small win today, {topic} went better than expected",
    ],
    "neutral": [
        "[Question] Anyone have advice on {topic}?",
        "What's your take on {topic}?",
        "TIL about {topic}, curious what you all think",
        "[Discussion] {topic} — beginner here",
    ],
    "negative": [
        "Rant: I'm done with {topic}",
        "PSA: {topic} is overhyped, save your money",
        "Frustrated with {topic}, anyone else?",
    ],
}
REDDIT_BODIES = {
    "positive": "Long-time lurker, first post. Thanks to everyone here for the tips, it made a real difference.",
    "neutral": "Looking for honest opinions before I commit. Budget is limited. Thanks in advance!",
    "negative": "Spent weeks on this and it was a mess. Posting so others don't repeat my mistakes.",
}
REDDIT_ADJECTIVES = ["Quiet", "Crispy", "Sleepy", "Curious", "Rusty", "Lucky", "Salty", "Cosmic", "Grumpy", "Wandering"]
REDDIT_NOUNS = [
    "Cartographer",
    "Baguette",
    "Otter",
    "Lifter",
    "Kettle",
    "Pixel",
    "Falcon",
    "Noodle",
    "Badger",
    "Compass",
]

# About one post in five is negative, a third neutral: a feed is mostly upbeat, not uniformly so.
SENTIMENT_WEIGHTS = {"positive": 47, "neutral": 33, "negative": 20}


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _plain(text: str) -> str:
    """A name as a handle can spell it: 'Lucía Yılmaz' → 'luciayilmaz'."""
    table = str.maketrans("áàâãäçéèêëíìîïıñóòôõöşúùûüğ", "aaaaaceeeeiiiiinooooosuuuug")
    return "".join(ch for ch in text.lower().translate(table) if ch.isalnum())


def person(rng: random.Random, language: str, niche: str) -> tuple[str, str]:
    """(handle, full name) for an Instagram creator: 'lucia.cooks', 'Lucía García'."""
    firsts, lasts = NAMES[language]
    first, last = rng.choice(firsts), rng.choice(lasts)
    word = rng.choice(NICHE_WORDS[niche])
    pattern = rng.randrange(4)
    if pattern == 0:
        handle = f"{_plain(first)}.{word}"
    elif pattern == 1:
        handle = f"{_plain(first)}{_plain(last)}"
    elif pattern == 2:
        handle = f"{_plain(first)}_{_plain(last)}.{word}"
    else:
        handle = f"{word}with{_plain(first)}"
    return handle[:30], f"{first} {last}"


def redditor(rng: random.Random) -> str:
    """A Reddit-looking user name: 'CrispyBaguette92', 'quiet_otter'."""
    adjective, noun = rng.choice(REDDIT_ADJECTIVES), rng.choice(REDDIT_NOUNS)
    if rng.random() < 0.5:
        return f"{adjective}{noun}{rng.randint(1, 99)}"
    return f"{adjective.lower()}_{noun.lower()}_{rng.randint(100, 999)}"
