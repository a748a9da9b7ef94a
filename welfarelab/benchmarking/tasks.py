"""Background work of benchmarking (django-tasks): recomputing peer groups after a change of weights or
of the ambiti."""

from __future__ import annotations

from django_tasks import task

from welfarelab.accounts.models import User
from welfarelab.benchmarking.peers import peers_compute
from welfarelab.indicators.services import aggregates_rebuild_all


@task()
def recompute_peers(kind: str, user_id: int | None = None) -> int:
    """Recompute the peers of every territory of `kind` with its peer model; return the pairs stored."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return peers_compute(kind=kind, user=user).peers


@task()
def ambiti_changed() -> int:
    """After an import of ambiti: their indicator values are sums of new comuni, and so are their peers."""
    aggregates_rebuild_all()
    return peers_compute(kind="ambito").peers
