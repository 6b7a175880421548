"""Operations endpoints."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def health(request):
    """Liveness: the process answers. No I/O, so a slow database never makes the web look dead."""
    return JsonResponse({"status": "ok"})
