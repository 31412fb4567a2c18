"""How pages name steps, in the timeline and on buttons: each step's label, as its flow declares it."""

from .steps import step_labels

LABELS = {"transition": step_labels, "action": step_labels}
