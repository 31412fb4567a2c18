"""System checks of the letters: every kind of letter can be drawn, and every letter a step sends can be worded."""

from django.core import checks

from grants.catalogue import ActLetter, procedure_list
from grants.procedures import LETTER_CHOICES
from workflows.steps import flow_steps

from .models import LetterKind
from .pdf import TitleKind
from .services.letters import act_letter_wording_missing


@checks.register()
def check_letter_kinds(app_configs, **kwargs):
    """A letter kind the PDF renderer does not know would fail only later, in the worker that draws it."""
    return [
        checks.Error(f"letter kind {kind!r} has no TitleKind in letters/pdf/render.py", id="letters.E001")
        for kind in LetterKind.values
        if kind not in list(TitleKind)
    ]


@checks.register()
def check_act_letters(app_configs, **kwargs):
    """Each procedure holds the words of every letter its steps declare (a request's topic, a notice's)."""
    errors = []
    for spec in procedure_list():
        if not isinstance(spec.flow, type):
            continue  # the workflows check names a procedure without a flow
        letters = {declared.step.letter for declared in flow_steps(spec.flow) if declared.step.letter}
        for letter in sorted(letters):
            for missing in act_letter_wording_missing(spec, letter):
                errors.append(
                    checks.Error(f"procedure {spec.stream}/{spec.code} lacks {missing}", id="letters.E002", obj=spec.flow)
                )
    return errors


@checks.register()
def check_letter_choices(app_configs, **kwargs):
    """The schedule's definitions page offers a year's letters from ``LETTER_CHOICES``: a letter it does not
    offer would be switched off for every year whose definition is saved there."""
    offered = {value for value, _label in LETTER_CHOICES}
    return [
        checks.Error(f"act letter {letter.value!r} has no label in LETTER_CHOICES (grants/procedures.py)",
                     id="letters.E003")
        for letter in ActLetter
        if letter != ActLetter.NONE and letter.value not in offered
    ]
