"""Signals of the accounts app, for listeners such as the audit trail.

``token_created`` and ``token_revoked`` are sent with ``sender=ApiToken`` and the keyword arguments
``token`` (the ``ApiToken``; after a revocation it is deleted but its fields are still readable),
``actor`` (the user who acted; ``None`` when the system revoked it, e.g. the user left the token's team) and ``request`` (the ``HttpRequest`` or ``None``).
"""

from django.dispatch import Signal

token_created = Signal()
token_revoked = Signal()
