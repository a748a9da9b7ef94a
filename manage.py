#!/usr/bin/env python
"""Django's command-line utility; `welfarelab` (python -m welfarelab) is the same with dashes allowed."""

from welfarelab.__main__ import main

if __name__ == "__main__":
    main()
