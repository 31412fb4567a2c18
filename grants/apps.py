from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Grants")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import checks
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import checks as deploy_checks, history
        from .db_roles import check_app_role, grant_after_migrate

        checks.register(check_app_role, checks.Tags.database)
        checks.register(deploy_checks.history_signing, checks.Tags.security, deploy=True)
        post_migrate.connect(grant_after_migrate, sender=self)
        connection_created.connect(history.sqlite_functions)
