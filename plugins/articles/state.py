"""What one build has read so far. Reset at the start of every build, so a
live-reloading server never carries one build's files into the next."""

from __future__ import annotations

import datetime as dt

from portal import model
from portal.clock import build_time
from portal.model import Problem
from portal.settings import messages_lang


class BuildState:
    def __init__(self) -> None:
        # a process that builds the site again and again (the live preview) keeps each article's view
        # with what it was built from, to reuse it; a build, which reads each file once, keeps none
        self.long_lived = False
        self.reset({})

    def reset(self, settings: dict) -> None:
        self.entries: list[model.Entry] = []
        # images (paths under content/) of articles not published in this build, and of those published:
        # an image only a draft or an embargoed article uses is removed from the output
        self.withheld_images: set[str] = set()
        self.published_images: set[str] = set()
        self.problems: list[Problem] = []
        self._said: set[tuple[Problem, str]] = set()
        self.lang: str = messages_lang(settings)  # of the messages (the site's: PORTAL_LANG)
        self.now: dt.datetime = build_time(settings)

    def add_entry(self, entry: model.Entry) -> None:
        self.entries.append(entry)
        self.problems.extend(entry.problems)

    def add_problem(self, problem: Problem) -> None:
        """``problem``, once: a file of a static folder is judged when the build starts and again among the
        files Pelican copies (``check_copied_files``, which also sees those linked from elsewhere)."""
        said = (problem, problem.message())
        if said not in self._said:
            self._said.add(said)
            self.problems.append(problem)


STATE = BuildState()
