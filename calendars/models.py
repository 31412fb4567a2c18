"""Low-level calendar data: the bureau's extra closure days and the day's document numbering."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .eras import day_text


class ClosureDay(models.Model):
    """A day the bureau is closed beyond weekends, national holidays and 12/29–1/3 (臨時休庁)."""

    day = models.DateField(_("day"), unique=True)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("closure day")
        verbose_name_plural = _("closure days")
        ordering = ["day"]
        permissions = [("edit_calendar_data", "Edit closure days and reminder rules")]

    def __str__(self) -> str:
        # the admin's messages name the day: 令和8年12月28日 in Japanese, ISO in English
        return f"{day_text(self.day)} {self.reason}"

    def clean(self) -> None:
        """An extra closure falls on a day the offices would be open: a weekend, a national holiday or
        12/29–1/3 is closed already, and a closure day there would count nothing."""
        from .business_days import is_business_day

        if self.day is not None and not is_business_day(self.day, extra_closures=frozenset()):
            raise ValidationError(
                {"day": _("%(day)s is a day the offices are closed already (a weekend, a national holiday or "
                          "the year-end closure).") % {"day": day_text(self.day)}}
            )


class DocumentSequence(models.Model):
    """The last serial issued on a day; numbers restart each day (関厚発1121第3号)."""

    day = models.DateField(unique=True)
    last_serial = models.PositiveIntegerField(default=0)
