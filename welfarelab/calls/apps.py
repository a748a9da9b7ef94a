from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_vocabulary(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from welfarelab.calls.services import vocabulary_sync

    vocabulary_sync(using=using)


class CallsConfig(AppConfig):
    name = "welfarelab.calls"
    label = "calls"
    verbose_name = _("Funding calls")

    def ready(self) -> None:
        # After every migrate, and after a test database is flushed (which sends post_migrate too),
        # the built-in themes and applicant types exist, as contenttypes and permissions do.
        post_migrate.connect(_sync_vocabulary, sender=self, dispatch_uid="calls_vocabulary")
