"""Content categories shared by the model choices, the AI category analyzer and the filters.

Keys are stable identifiers stored in the database; labels are for people. The list follows what
creator-search tools (Modash, HypeAuditor) offer as niches, plus Reddit's community topics.
"""

CONTENT_CATEGORIES: dict[str, str] = {
    "fashion": "Fashion",
    "beauty": "Beauty",
    "fitness": "Fitness",
    "food": "Food & drink",
    "travel": "Travel",
    "tech": "Technology",
    "gaming": "Gaming",
    "music": "Music",
    "art": "Art & design",
    "photography": "Photography",
    "parenting": "Parenting & family",
    "pets": "Pets & animals",
    "business": "Business",
    "finance": "Finance & crypto",
    "education": "Education",
    "health": "Health & wellness",
    "sports": "Sports",
    "entertainment": "Entertainment & film",
    "lifestyle": "Lifestyle",
    "automotive": "Automotive",
    "home": "Home & garden",
    "comedy": "Comedy & memes",
    "news": "News & politics",
    "science": "Science",
    "books": "Books & writing",
    "diy": "DIY & crafts",
}

CATEGORY_CHOICES = list(CONTENT_CATEGORIES.items())
