"""What every API endpoint shares: scoping, pagination with a cap, throttles, cache keys, errors.

Concrete viewsets stay a few lines because the rules live here once (NetBox's pattern). The
classes ``REST_FRAMEWORK`` names (``authentication``, ``pagination``, ``throttling``, ``schema``)
each sit in a module of their own: DRF imports them while it is still importing its views, so
those modules import no view code, and this package imports nothing.
"""
