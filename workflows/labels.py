"""How pages name transitions, in the timeline and on buttons."""

from .fields import TRANSITION_LABELS

LABELS = {"transition": TRANSITION_LABELS, "action": TRANSITION_LABELS}
