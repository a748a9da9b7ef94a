"""The `welfarelab` console command: Django management with the project's settings.

welfarelab migrate
welfarelab load-open-data
welfarelab import-ambiti ambiti.csv
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "welfarelab.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "welfarelab"
    # Our own commands are spelled with dashes on the command line (import-ambiti), as the docs show.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
