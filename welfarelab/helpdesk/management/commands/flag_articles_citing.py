"""`welfarelab flag-articles-citing "CTS art. 79" --reason "..."`: a cited law changed; review its articles.

Every article resting on the act (or on the article of it) goes to the operators' review queue, with
`--reason` added to its review reason, and shows an "under review" notice until an operator checks it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from welfarelab.helpdesk.legal import ReferenceNotRecognised
from welfarelab.helpdesk.services import articles_flag_citing


class Command(BaseCommand):
    help = "Put in the review queue the knowledge base articles citing an act, or an article of it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("citation", help='The act as the articles cite it: "CTS art. 79", "L. 104/2024".')
        parser.add_argument("--reason", required=True, help="What changed (shown to the operators).")

    def handle(self, *args: Any, citation: str, reason: str, **options: Any) -> None:
        try:
            codes = articles_flag_citing(citation=citation, reason=reason)
        except ReferenceNotRecognised as error:
            raise CommandError(f"{citation!r} is not a citation of an act ({error}).") from None
        if codes:
            self.stdout.write(
                self.style.SUCCESS(f"{len(codes)} article(s) to be reviewed: {', '.join(codes)}")
            )
        else:
            self.stdout.write(f"No article cites {citation}.")
