from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Profiles"

    def ready(self) -> None:
        from profiles import lists
        from profiles.models import Favorite, Tag, TagCategory
        from profiles.search_choices import forget_search_tags

        # Derived data only: the "Favorites" list mirrors the favorites (profiles/lists.py).
        post_save.connect(lists.favorite_saved, sender=Favorite, dispatch_uid="favorites-into-list")
        post_delete.connect(lists.favorite_deleted, sender=Favorite, dispatch_uid="favorites-out-of-list")
        # The search page keeps the tag list cached (profiles/views.py): a change to a tag drops it.
        for model in (Tag, TagCategory):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_search_tags, sender=model, dispatch_uid=f"search-tags-{model.__name__}-{id(signal)}"
                )
