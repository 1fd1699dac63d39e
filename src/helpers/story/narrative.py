"""Kept so that `from helpers.story import narrative` keeps working: the story's results now live in
`helpers.story.results` (numbers, signs, tables; no prose) and its sentences in the templates of
`story/templates/<lang>/` (see `helpers.story.wording`)."""

from helpers.story.results import *  # noqa: F401,F403
from helpers.story.results import change_of, low_execution, low_execution_summary, stated_reason  # noqa: F401
